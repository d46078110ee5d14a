// The prompt worker and executor: takes queue items one at a time and runs them like ComfyUI 0.8's
// PromptExecutor, sending the recorded message sequence (execution_start, execution_cached, per node
// progress_state + executing, progress and previews, executed, execution_success, then after history the
// final `executing {node: null}`), with ComfyUI's signature-keyed output cache (output-cache.ts) kept between
// prompts. The bodies and binary frames it sends are built in executor-messages.ts.
import {
	cycleErrorMessage,
	legacyPreviewFrame,
	nodeErrorMessage,
	PREVIEW_EVENT,
	PREVIEW_WITH_METADATA_EVENT,
	previewWithMetadataFrame,
	progressStateNodes,
	TEXT_EVENT,
	textFrame,
	type NodeState
} from './executor-messages';
import { ExecutionList, isLink } from './execution-list';
import { buildObjectInfo } from './object-info';
import { genericNode } from './nodes/generic';
import { nodeImpl } from './nodes/registry';
import { PyError, type NodeContext, type NodeImpl } from './nodes/types';
import { cacheKeys, hiddenInputs, type CacheEntry } from './output-cache';
import type { ApiPrompt, QueueItem } from './prompt-queue';
import type { Simulator } from './simulator';

/** Raised at an interrupt check, like `InterruptProcessingException`. */
class Interrupted extends Error {}

/** A restart happened mid-run: stop without a trace. */
class Aborted extends Error {}

/** A prompt the worker started and how it ended; `cut` when a restart or a stop ended it midway. */
export interface RunRecord {
	promptId: string;
	outcome: 'running' | 'success' | 'error' | 'cut';
}

/** Runs queued prompts one after another. */
export class PromptWorker {
	/** Every prompt started since the simulator was created (kept across restarts): a test counts runs here. */
	readonly runs: RunRecord[] = [];
	/** `server.client_id`: the client of the running prompt. */
	clientId: string | null = null;
	/** `server.last_node_id`: the node last announced with `executing`. */
	lastNodeId: string | null = null;
	private busy = false;
	private interruptFlag = false;
	private generation = 0;
	private nanCounter = 0;
	private readonly outputCache = new Map<string, CacheEntry>();
	private readonly objects = new Map<string, Record<string, unknown>>();

	constructor(private readonly sim: Simulator) {}

	/** The node a reconnecting socket with this id is told about, if its prompt is running. */
	reconnectNode(sid: string): string | null {
		return this.clientId === sid && this.lastNodeId !== null ? this.lastNodeId : null;
	}

	/** `nodes.interrupt_processing()`: the running node stops at its next check. */
	interrupt(): void {
		this.interruptFlag = true;
	}

	/** Starts working through the queue if idle. Runs synchronously up to the first pause. */
	kick(): void {
		if (this.busy) return;
		this.busy = true;
		void this.loop();
	}

	/** Forgets everything, as a restarted process would; a running prompt stops silently. */
	reset(): void {
		for (const run of this.runs) if (run.outcome === 'running') run.outcome = 'cut';
		this.generation += 1;
		this.busy = false;
		this.clientId = null;
		this.lastNodeId = null;
		this.interruptFlag = false;
		this.outputCache.clear();
		this.objects.clear();
	}

	private async loop(): Promise<void> {
		const generation = this.generation;
		try {
			for (;;) {
				if (generation !== this.generation) return;
				const next = this.sim.queue.get();
				if (!next) break;
				try {
					await this.run(next.item, next.id, generation);
				} catch (error) {
					if (!(error instanceof Aborted)) throw error;
					return;
				}
			}
		} finally {
			if (generation === this.generation) this.busy = false;
		}
	}

	private pause(seconds: number, generation: number): Promise<void> {
		return this.pauseMs(seconds * 1000 * this.sim.timeScale, generation);
	}

	private pauseMs(ms: number, generation: number): Promise<void> {
		return new Promise<void>((resolve) => {
			if (ms <= 0) setImmediate(resolve);
			else setTimeout(resolve, ms);
		}).then(() => {
			if (generation !== this.generation) throw new Aborted();
		});
	}

	private async run(item: QueueItem, taskId: number, generation: number): Promise<void> {
		const [, promptId, prompt, extra, outputsToExecute, sensitive] = item;
		const hub = this.sim.hub;
		const extraData: Record<string, unknown> = { ...extra, ...sensitive };
		this.interruptFlag = false;
		const clientId = 'client_id' in extraData ? String(extraData['client_id']) : null;
		this.clientId = clientId;
		const info = buildObjectInfo(this.sim.models, this.sim.files);
		const messages: [string, unknown][] = [];
		const addMessage = (event: string, data: Record<string, unknown>, broadcast: boolean) => {
			data['timestamp'] = Date.now();
			messages.push([event, data]);
			if (clientId !== null || broadcast) hub.sendJson(event, data, clientId);
		};
		const record: RunRecord = { promptId, outcome: 'running' };
		this.runs.push(record);
		this.sim.onRun?.(record);
		addMessage('execution_start', { prompt_id: promptId }, false);

		const progress = new Map<string, NodeState>();
		const sendProgressState = () =>
			hub.sendJson(
				'progress_state',
				{ prompt_id: promptId, nodes: progressStateNodes(progress, promptId) },
				clientId
			);
		const entry = (id: string): NodeState => {
			let s = progress.get(id);
			if (!s) progress.set(id, (s = { state: 'pending', value: 0, max: 1 }));
			return s;
		};

		const keys = cacheKeys({
			prompt,
			info,
			files: this.sim.files,
			neverCached: () => `nan:${this.nanCounter++}`
		});
		const wanted = new Set(keys.values());
		for (const key of [...this.outputCache.keys()]) if (!wanted.has(key)) this.outputCache.delete(key);
		for (const key of [...this.objects.keys()]) {
			const [id, classType] = key.split('\u0000');
			if (prompt[id ?? '']?.class_type !== classType) this.objects.delete(key);
		}
		const isCached = (id: string) => this.outputCache.has(keys.get(id) ?? '');
		addMessage(
			'execution_cached',
			{ nodes: Object.keys(prompt).filter(isCached), prompt_id: promptId },
			false
		);

		const list = new ExecutionList(
			prompt,
			isCached,
			(id) => info[prompt[id]?.class_type ?? '']?.output_node === true
		);
		for (const id of outputsToExecute) list.addNode(id);
		const values = new Map<string, unknown[]>();
		const uiOutputs = new Map<string, { meta: Record<string, unknown>; output: Record<string, unknown[]> }>();
		const executed: string[] = [];
		let success = true;

		while (!list.isEmpty()) {
			const nodeId = list.stage();
			if (nodeId === null) {
				const blamed = list.cycleNode() ?? '';
				addMessage(
					'execution_error',
					cycleErrorMessage({
						promptId,
						nodeId: blamed,
						nodeType: prompt[blamed]?.class_type ?? '',
						executed,
						nodeIds: Object.keys(prompt)
					}),
					false
				);
				success = false;
				break;
			}
			const node = prompt[nodeId];
			if (!node) break;
			const key = keys.get(nodeId) ?? '';
			const cached = this.outputCache.get(key);
			if (cached) {
				if (clientId !== null) {
					hub.sendJson(
						'executed',
						{ node: nodeId, display_node: nodeId, output: cached.ui?.output ?? null, prompt_id: promptId },
						clientId
					);
					if (cached.ui) uiOutputs.set(nodeId, cached.ui);
				}
				const s = entry(nodeId);
				s.state = 'finished';
				s.value = s.max;
				sendProgressState();
				values.set(nodeId, cached.outputs);
				list.complete(nodeId);
				continue;
			}

			const started = entry(nodeId);
			Object.assign(started, { state: 'running', value: 0, max: 1 });
			sendProgressState();
			if (clientId !== null) {
				this.lastNodeId = nodeId;
				hub.sendJson('executing', { node: nodeId, display_node: nodeId, prompt_id: promptId }, clientId);
			}
			const def = info[node.class_type];
			const inputs: Record<string, unknown> = {};
			for (const [name, value] of Object.entries(node.inputs)) {
				if (isLink(value)) {
					// Cached ancestors are not in the execution list: their outputs come from the cache.
					const upstream = values.get(value[0]) ?? this.outputCache.get(keys.get(value[0]) ?? '')?.outputs;
					inputs[name] = upstream?.[value[1]] ?? null;
				} else if (def?.input.required?.[name] || def?.input.optional?.[name]) inputs[name] = value;
			}
			for (const [name, type] of Object.entries(hiddenInputs(def))) {
				if (type === 'PROMPT') inputs[name] = prompt;
				else if (type === 'EXTRA_PNGINFO') inputs[name] = extraData['extra_pnginfo'] ?? null;
				else if (type === 'UNIQUE_ID') inputs[name] = nodeId;
			}
			const impl: NodeImpl = nodeImpl(node.class_type) ?? genericNode(def);
			const objectKey = `${nodeId}\u0000${node.class_type}`;
			let state = this.objects.get(objectKey);
			if (!state) this.objects.set(objectKey, (state = {}));
			const ctx = this.nodeContext({
				nodeId,
				promptId,
				prompt,
				extraData,
				state,
				generation,
				entry,
				sendProgressState
			});

			let result;
			try {
				await this.pause(0, generation);
				if (this.interruptFlag) throw new Interrupted();
				const hostile = this.sim.hostile;
				if (hostile.executionError !== null) {
					const text = hostile.executionError;
					hostile.executionError = null;
					throw new PyError('RuntimeError', text, [
						`  File "custom_nodes/${text}.py", line 1, in run\n    ${text}\n`
					]);
				}
				if (hostile.filenamePrefix !== null && 'filename_prefix' in inputs) {
					inputs['filename_prefix'] = hostile.filenamePrefix;
					hostile.filenamePrefix = null;
				}
				result = await impl.run(inputs, ctx);
			} catch (error) {
				if (error instanceof Aborted) throw error;
				success = false;
				if (error instanceof Interrupted) {
					this.interruptFlag = false;
					addMessage(
						'execution_interrupted',
						{ prompt_id: promptId, node_id: nodeId, node_type: node.class_type, executed: [...executed] },
						true
					);
				} else {
					addMessage(
						'execution_error',
						nodeErrorMessage({
							promptId,
							nodeId,
							nodeType: node.class_type,
							executed,
							error: error instanceof PyError ? error : new PyError('Exception', String(error)),
							inputs,
							nodeIds: Object.keys(prompt)
						}),
						false
					);
				}
				break;
			}
			const ui = result.ui && Object.keys(result.ui).length > 0 ? result.ui : null;
			let uiEntry: CacheEntry['ui'] = null;
			if (ui) {
				uiEntry = {
					meta: { node_id: nodeId, display_node: nodeId, parent_node: null, real_node_id: nodeId },
					output: ui
				};
				uiOutputs.set(nodeId, uiEntry);
				if (clientId !== null) {
					hub.sendJson(
						'executed',
						{ node: nodeId, display_node: nodeId, output: ui, prompt_id: promptId },
						clientId
					);
				}
			}
			this.outputCache.set(key, { outputs: result.outputs, ui: uiEntry });
			const s = entry(nodeId);
			s.state = 'finished';
			s.value = s.max;
			sendProgressState();
			executed.push(nodeId);
			values.set(nodeId, result.outputs);
			list.complete(nodeId);
		}

		if (success) addMessage('execution_success', { prompt_id: promptId }, false);
		const outputs: Record<string, unknown> = {};
		const meta: Record<string, unknown> = {};
		for (const [id, ui] of uiOutputs) {
			outputs[id] = ui.output;
			meta[id] = ui.meta;
		}
		this.lastNodeId = null;
		record.outcome = success ? 'success' : 'error';
		this.sim.onRun?.(record);
		this.sim.queue.taskDone(taskId, {
			outputs,
			meta,
			status: { status_str: success ? 'success' : 'error', completed: success, messages }
		});
		if (clientId !== null) hub.sendJson('executing', { node: null, prompt_id: promptId }, clientId);
		await this.pause(0, generation);
	}

	private nodeContext(options: {
		nodeId: string;
		promptId: string;
		prompt: ApiPrompt;
		extraData: Record<string, unknown>;
		state: Record<string, unknown>;
		generation: number;
		entry: (id: string) => NodeState;
		sendProgressState: () => void;
	}): NodeContext {
		const { nodeId, promptId, generation } = options;
		const hub = this.sim.hub;
		return {
			nodeId,
			promptId,
			prompt: options.prompt,
			extraData: options.extraData,
			files: this.sim.files,
			models: this.sim.models,
			state: options.state,
			progress: async (value, max, preview) => {
				if (generation !== this.generation) throw new Aborted();
				if (this.interruptFlag) throw new Interrupted();
				const clientId = this.clientId;
				const s = options.entry(nodeId);
				Object.assign(s, { state: 'running', value, max });
				options.sendProgressState();
				const withMetadata = hub.supportsFeature(clientId, 'supports_preview_metadata');
				if (preview && withMetadata)
					hub.sendBytes(
						PREVIEW_WITH_METADATA_EVENT,
						previewWithMetadataFrame({ nodeId, promptId, preview }),
						clientId
					);
				hub.sendJson('progress', { value, max, prompt_id: promptId, node: nodeId }, clientId);
				if (preview && !withMetadata) hub.sendBytes(PREVIEW_EVENT, legacyPreviewFrame(preview), clientId);
				await this.pause(0, generation);
			},
			sleep: (seconds) => this.pause(seconds, generation),
			sendText: (text) => hub.sendBytes(TEXT_EVENT, textFrame({ nodeId, text }), null),
			sendEvent: (type, data) => hub.sendJson(type, data, null),
			modelLoadDelay: () => this.sim.slowModelLoadSeconds,
			previewStream: () => this.sim.previewStream,
			sleepReal: (ms) => this.pauseMs(ms, generation)
		};
	}
}
