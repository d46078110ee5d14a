import type { JobRecord } from '$lib/comfy';

/**
 * A job as JobsState mirrors it from a tracker (template sd15), for the run list's tests.
 * @param o.created when it was made (5000 unless set); `o.serverId` its server (`s1` unless set).
 */
export function liveJob(
	id: string,
	status: JobRecord['status'],
	o: { created?: number; serverId?: string } = {}
): JobRecord & { serverId: string } {
	return {
		id,
		serverUrl: 'http://box:8188/',
		workflow: {},
		status,
		outputs: [],
		timings: { created: o.created ?? 5000 },
		attempts: 1,
		serverId: o.serverId ?? 's1',
		metadata: { templateId: 'sd15' }
	};
}
