import { describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { KeptImage, StoredJob } from '$lib/storage/jobs';
import DashboardRecent from './DashboardRecent.svelte';

function job(id: string, images: KeptImage[], texts?: Record<string, unknown[]>): StoredJob {
	return {
		id,
		serverUrl: 'http://box:8188/',
		workflow: {},
		status: 'succeeded',
		outputs: [],
		timings: { created: Date.now() },
		attempts: 1,
		serverId: 's1',
		createdAt: Date.now(),
		app: { templateName: id, images },
		...(texts ? { texts } : {})
	};
}

const file = (filename: string, kind: KeptImage['kind'], duration?: number): KeptImage => ({
	filename,
	subfolder: '',
	type: 'output',
	hash: `h-${filename}`,
	...(kind ? { kind } : {}),
	...(duration !== undefined ? { duration } : {})
});

describe('DashboardRecent', () => {
	it('badges the runs that made a video, a sound or a text, as History’s cards do', async () => {
		render(DashboardRecent, {
			jobs: [
				job('Clip', [file('c.mp4', 'video', 2)]),
				job('Song', [file('s.flac', 'audio', 1.5)]),
				job('Caption', [], { '9': ['a red fox'] }),
				job('Still', [file('p.png', 'image')])
			],
			imageUrl: () => undefined,
			templateName: (j) => j.app.templateName ?? '',
			serverName: () => 'box'
		});
		const tile = (name: string) => page.getByRole('link', { name: new RegExp(name) });
		await expect.element(tile('Clip')).toHaveTextContent(/Video\s+2 s/);
		await expect.element(tile('Song')).toHaveTextContent(/Audio\s+1\.5 s/);
		await expect.element(tile('Caption')).toHaveTextContent(/Text/);
		await expect.element(tile('Still')).not.toHaveTextContent(/Video|Audio|Text|File/);
	});
});
