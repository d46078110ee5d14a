import { describe, expect, it, vi } from 'vitest';
import { ImageViewerState, type ViewerEntry } from './image-viewer.svelte';

const picture = (name: string, kind = 'image'): ViewerEntry => ({
	key: name,
	media: { url: `blob:${name}`, blob: new Blob(['x']), filename: name, mime: 'image/png', kind }
});

describe('ImageViewerState', () => {
	it('walks a run forwards and backwards and stops at its ends', () => {
		const viewer = new ImageViewerState({ entries: [picture('a'), picture('b'), picture('c')], index: 1 });
		expect(viewer.media?.filename).toBe('b');
		viewer.next();
		expect(viewer.media?.filename).toBe('c');
		expect(viewer.hasNext).toBe(false);
		viewer.next();
		expect(viewer.index).toBe(2);
		viewer.previous();
		viewer.previous();
		viewer.previous();
		expect(viewer.media?.filename).toBe('a');
		expect(viewer.hasPrevious).toBe(false);
	});

	it('zooms pictures, not videos, and fits again on every step', () => {
		const viewer = new ImageViewerState({ entries: [picture('a'), picture('clip.mp4', 'video')] });
		viewer.zoom({ direction: 1 });
		viewer.zoom({ direction: 1 });
		expect(viewer.view.scale).toBeCloseTo(2.25);
		expect(viewer.zoomed).toBe(true);
		viewer.next();
		expect(viewer.view.scale).toBe(1);
		expect(viewer.zoomable).toBe(false);
		viewer.zoom({ direction: 1 });
		viewer.wheel({ deltaY: -100, at: { x: 0, y: 0 } });
		expect(viewer.view.scale).toBe(1);
	});

	it('reads an entry that is not in memory when it is reached, and frees its URL on the next step', async () => {
		const created: string[] = [];
		const revoked: string[] = [];
		vi.spyOn(URL, 'createObjectURL').mockImplementation(() => {
			created.push(`blob:${created.length}`);
			return created.at(-1) ?? '';
		});
		vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url) => revoked.push(url));
		const load = vi.fn(async () => ({ blob: new Blob(['y']), filename: 'run.png', mime: 'image/png' }));
		const viewer = new ImageViewerState({
			entries: [
				picture('a'),
				{ key: 'job', jobId: 'job-1', load },
				{ key: 'gone', load: async () => undefined }
			]
		});
		expect(load).not.toHaveBeenCalled();
		await viewer.show(1);
		expect(viewer.media).toMatchObject({ filename: 'run.png', url: 'blob:0' });
		expect(viewer.entry?.jobId).toBe('job-1');
		await viewer.show(2);
		expect(revoked).toEqual(['blob:0']);
		expect(viewer.media).toBeUndefined();
		expect(viewer.error).toMatch(/not kept/);
		vi.restoreAllMocks();
	});

	it('shows the entry asked last when reads finish out of order', async () => {
		let finish: (value: { blob: Blob; filename: string; mime: string }) => void = () => {};
		const slow = () => new Promise<{ blob: Blob; filename: string; mime: string }>((r) => (finish = r));
		const viewer = new ImageViewerState({
			entries: [picture('a'), { key: 'slow', load: slow }, picture('c')]
		});
		const reading = viewer.show(1);
		viewer.next();
		finish({ blob: new Blob(['z']), filename: 'late.png', mime: 'image/png' });
		await reading;
		expect(viewer.media?.filename).toBe('c');
	});
});
