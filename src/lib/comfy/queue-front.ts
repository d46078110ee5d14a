/**
 * Moving a prompt that waits in a server's queue to its head. ComfyUI has no "reorder": the prompt is deleted from
 * the queue and posted again with `front: true`, under the same prompt id so whoever follows it (its job record,
 * the browser queue) keeps following it. It is posted again only once the server shows it neither queued, running
 * nor in history: a prompt that started (or ended) in between is left alone, so nothing runs twice.
 */
import type { ComfyApi } from './api';
import type { ApiWorkflow } from './workflow/types';

export type MoveToFrontResult = { ok: true } | { ok: false; message: string };

/**
 * @param options.clientId the socket client id it was sent with, so its progress and previews keep coming there.
 */
export async function moveToFrontOnServer({
	api,
	promptId,
	workflow,
	clientId,
	extraData
}: {
	api: Pick<ComfyApi, 'deleteFromQueue' | 'getQueue' | 'getHistoryEntry' | 'queuePrompt'>;
	promptId: string;
	workflow: ApiWorkflow;
	clientId?: string;
	extraData?: Record<string, unknown>;
}): Promise<MoveToFrontResult> {
	await api.deleteFromQueue({ promptIds: [promptId] });
	const [queue, history] = await Promise.all([api.getQueue(), api.getHistoryEntry({ promptId })]);
	if (queue.queue_running.some((item) => item[1] === promptId))
		return { ok: false, message: 'It started running before it could be moved.' };
	if (queue.queue_pending.some((item) => item[1] === promptId))
		return { ok: false, message: 'The server did not take it out of its queue: try again.' };
	if (history) return { ok: false, message: 'It finished before it could be moved.' };
	await api.queuePrompt({
		prompt: workflow,
		promptId,
		front: true,
		...(clientId ? { clientId } : {}),
		...(extraData ? { extraData } : {})
	});
	return { ok: true };
}
