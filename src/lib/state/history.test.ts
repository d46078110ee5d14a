import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { unzipSync } from 'fflate';
import { createLogger, type JobStatus } from '$lib/comfy';
import { openDeckDb } from '$lib/storage/db';
import { putImage } from '$lib/storage/images';
import { getJob, putJob, type StoredJob } from '$lib/storage/jobs';
import { HistoryState } from './history.svelte';
import { JobsState } from './jobs.svelte';

function job(
	id: string,
	o: { status: JobStatus; createdAt: number; tags?: string[]; image?: string }
): StoredJob {
	return {
		id,
		serverUrl: 'http://box:8188/',
		workflow: {},
		status: o.status,
		outputs: [],
		timings: { created: o.createdAt, ...(o.status === 'running' ? {} : { finished: o.createdAt + 1 }) },
		attempts: 1,
		serverId: 's1',
		createdAt: o.createdAt,
		app: {
			templateId: 'solid',
			templateName: 'Solid color',
			...(o.tags ? { tags: o.tags } : {}),
			...(o.image
				? { images: [{ filename: `${id}.png`, subfolder: '', type: 'output', hash: o.image }] }
				: {})
		}
	};
}

// Realistic times: a zip entry cannot be dated before 1980.
const T = Date.UTC(2026, 0, 1);

async function gallery() {
	const db = openDeckDb({ name: `history-state-${Math.random()}` });
	const open = await db;
	const image = await putImage(open, { blob: new Blob(['png of a'], { type: 'image/png' }) });
	await putJob(open, job('a', { status: 'succeeded', createdAt: T + 1, tags: ['sky'], image }));
	await putJob(open, job('b', { status: 'failed', createdAt: T + 2 }));
	await putJob(open, job('c', { status: 'running', createdAt: T + 3, tags: ['sky'] }));
	const jobs = new JobsState({ db, logger: createLogger(), cacheBytes: () => 0 });
	const history = new HistoryState({ db, jobs, servers: [] });
	return { db: open, jobs, history };
}

const ids = (history: HistoryState) => history.items.map((i) => i.id);

describe('HistoryState', () => {
	it('lists every job newest first with the filter choices, then follows the filters in the URL', async () => {
		const { history } = await gallery();
		history.loadHash('#/history');
		await vi.waitFor(() => expect(history.loading).toBe(false));
		expect(ids(history)).toEqual(['c', 'b', 'a']);
		expect(history.hasAny).toBe(true);
		expect(history.filtered).toBe(false);
		expect(history.facets.tags).toEqual(['sky']);
		expect([...history.facets.statuses].sort()).toEqual(['failed', 'running', 'succeeded']);

		history.loadHash('#/history?tag=sky');
		await vi.waitFor(() => expect(ids(history)).toEqual(['c', 'a']));
		expect(history.filtered).toBe(true);

		history.setFilter({ key: 'status', value: ' failed ' });
		await vi.waitFor(() => expect(ids(history)).toEqual([]));
		expect(history.hash).toBe('#/history?status=failed&tag=sky');
		expect(history.hasAny).toBe(true);

		history.clearFilters();
		await vi.waitFor(() => expect(ids(history)).toEqual(['c', 'b', 'a']));
		expect(history.hash).toBe('#/history');
	});

	it('selects one, all, or none of the listed jobs', async () => {
		const { history } = await gallery();
		history.loadHash('#/history');
		await vi.waitFor(() => expect(history.items).toHaveLength(3));

		history.toggle({ id: 'b', selected: true });
		expect(history.selectedItems.map((i) => i.id)).toEqual(['b']);
		history.toggleAll();
		expect([...history.selected].sort()).toEqual(['a', 'b', 'c']);
		history.toggleAll();
		expect(history.selected.size).toBe(0);
	});

	it('deletes the selected finished jobs and keeps a running one, saying why', async () => {
		const { history, db } = await gallery();
		history.loadHash('#/history');
		await vi.waitFor(() => expect(history.items).toHaveLength(3));
		history.toggleAll();

		await history.deleteSelected();

		expect(history.message).toMatch(
			/^Deleted 2 generations \(.* freed\)\. 1 still running was kept: cancel it first\.$/
		);
		expect(ids(history)).toEqual(['c']);
		expect([...history.selected]).toEqual(['c']);
		expect(await getJob(db, 'a')).toBeUndefined();
		expect(await getJob(db, 'c')).toBeDefined();
		expect(history.busy).toBe(false);
	});

	it('zips the kept images of the selection, and says when there are none', async () => {
		const { history } = await gallery();
		history.loadHash('#/history');
		await vi.waitFor(() => expect(history.items).toHaveLength(3));

		history.toggle({ id: 'b', selected: true });
		expect(await history.zipSelected()).toBeUndefined();
		expect(history.error).toBe('The selected generations have no kept images to download.');

		history.toggle({ id: 'a', selected: true });
		const zip = await history.zipSelected();
		expect(zip?.count).toBe(1);
		expect(zip?.name).toMatch(/^comfy-deck-.*\.zip$/);
		const files = unzipSync(new Uint8Array(await (zip?.blob ?? new Blob()).arrayBuffer()));
		expect(new TextDecoder().decode(files['a.png'])).toBe('png of a');
		expect(history.message).toBe('1 image in the zip.');
	});
});
