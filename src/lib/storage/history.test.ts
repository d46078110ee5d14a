import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { JobStatus } from '$lib/comfy';
import { putCacheEntry } from './cache';
import { openDeckDb, type DeckDb } from './db';
import {
	deleteHistoryJobs,
	diffRuns,
	historyFacets,
	MAX_STYLE_CHARS,
	normalizeStyle,
	normalizeTags,
	queryHistory,
	runsOfTemplate,
	setJobNote,
	setJobTags,
	stylesOfTemplate,
	type HistoryFilter,
	type HistoryPage
} from './history';
import { getImage, putImage } from './images';
import { getJob, putJob, type JobAppInfo, type StoredJob } from './jobs';
import { putRawRecord } from './testing/records';
import { unreadableCount, type UnreadableRecord } from './unreadable';

let n = 0;
const open = () => openDeckDb({ name: `history-test-${n++}-${Math.random()}` });

function job(
	id: string,
	createdAt: number,
	options: { status?: JobStatus; serverId?: string; app?: JobAppInfo; prompt?: string } = {}
): StoredJob {
	return {
		id,
		serverUrl: 'http://box:8188/',
		workflow: {
			'6': { class_type: 'CLIPTextEncode', inputs: { text: options.prompt ?? 'a cat', clip: ['4', 1] } }
		},
		status: options.status ?? 'succeeded',
		outputs: [],
		timings: { created: createdAt, started: createdAt + 10, finished: createdAt + 1010 },
		attempts: 1,
		serverId: options.serverId ?? 's1',
		createdAt,
		app: options.app ?? {}
	};
}

async function all(page: HistoryPage) {
	return [...page.items, ...((await page.rest?.()) ?? [])];
}

async function ids(db: DeckDb, filter: HistoryFilter = {}, firstPage?: number, chunkSize?: number) {
	return (await all(await queryHistory(db, { filter, firstPage, chunkSize }))).map((i) => i.id);
}

describe('a record history cannot read', () => {
	it('is left out of the gallery, its filters and its reads, and reported once with the reason', async () => {
		const reported: UnreadableRecord[] = [];
		const db = await openDeckDb({
			name: `history-test-${n++}-${Math.random()}`,
			onUnreadable: (record) => reported.push(record)
		});
		await putJob(db, job('a', 100, { app: { templateId: 't1', templateName: 'Portrait' } }));
		await putRawRecord(db, 'jobs', {
			...job('broken', 150, { app: { templateId: 't1', templateName: 'Broken' } }),
			status: 'exploded'
		});
		await putJob(db, job('b', 200));

		// The bounded first page, the chunked rest, and the index read of a selective filter all skip it.
		expect(await ids(db, {}, 1, 1)).toEqual(['b', 'a']);
		expect(await ids(db, { templateId: 't1' })).toEqual(['a']);
		expect(await getJob(db, 'broken')).toBeUndefined();
		expect((await historyFacets(db)).templates).toEqual([{ id: 't1', name: 'Portrait' }]);
		expect(reported).toEqual([
			{
				store: 'jobs',
				key: 'broken',
				problem: expect.stringContaining('status: Invalid option: expected one of')
			}
		]);
		expect(unreadableCount(db)).toBe(1);
	});
});

describe('history queries', () => {
	async function seeded() {
		const db = await open();
		await putJob(db, job('a', 100, { app: { templateId: 't1', templateName: 'Portrait', tags: ['best'] } }));
		await putJob(
			db,
			job('b', 200, {
				status: 'failed',
				serverId: 's2',
				app: { templateId: 't2', templateName: 'Landscape', parameters: { prompt: 'A Misty Lake' } }
			})
		);
		await putJob(
			db,
			job('c', 300, {
				app: { templateId: 't1', templateName: 'Portrait', parameters: { prompt: 'red fox', seed: 7 } }
			})
		);
		await putJob(db, job('d', 400, { prompt: 'an old lighthouse' }));
		return db;
	}

	it('lists every job newest first', async () => {
		const db = await seeded();
		expect(await ids(db)).toEqual(['d', 'c', 'b', 'a']);
	});

	it('narrows by template, status, server, date range and tag', async () => {
		const db = await seeded();
		expect(await ids(db, { templateId: 't1' })).toEqual(['c', 'a']);
		expect(await ids(db, { status: 'failed' })).toEqual(['b']);
		expect(await ids(db, { serverId: 's1' })).toEqual(['d', 'c', 'a']);
		expect(await ids(db, { from: 200, to: 300 })).toEqual(['c', 'b']);
		expect(await ids(db, { from: 250 })).toEqual(['d', 'c']);
		expect(await ids(db, { to: 150 })).toEqual(['a']);
		expect(await ids(db, { from: 300, to: 200 })).toEqual([]);
		expect(await ids(db, { tag: 'best' })).toEqual(['a']);
		expect(await ids(db, { templateId: 't1', status: 'failed' })).toEqual([]);
	});

	it('finds text in prompts and parameters whatever its case, and in workflows without parameters', async () => {
		const db = await seeded();
		expect(await ids(db, { text: 'misty' })).toEqual(['b']);
		expect(await ids(db, { text: 'FOX red' })).toEqual(['c']);
		expect(await ids(db, { text: 'lighthouse' })).toEqual(['d']);
		expect(await ids(db, { text: 'portrait' })).toEqual(['c', 'a']);
		expect(await ids(db, { text: 'zebra' })).toEqual([]);
	});

	it('finds the text a run produced (a caption from PreviewAny)', async () => {
		const db = await seeded();
		const captioned = { ...job('e', 500), texts: { '10': ['A lighthouse at dusk, Oil on canvas'] } };
		await putJob(db, captioned);
		expect(await ids(db, { text: 'oil CANVAS' })).toEqual(['e']);
		expect(await ids(db, { text: 'lighthouse' })).toEqual(['e', 'd']);
	});

	it('gives the first page at once and the rest in order, ties included, with a filter or without', async () => {
		const db = await open();
		// One transaction for the 700 (one put each is 10x slower, and timed out on a loaded machine).
		const tx = db.transaction('jobs', 'readwrite');
		const puts = Array.from({ length: 700 }, (_, i) =>
			// Many jobs share a time stamp: the page boundary falls inside a run of equal times.
			tx.store.put(
				job(`j${String(i).padStart(4, '0')}`, Math.floor(i / 7), {
					status: i % 3 ? 'succeeded' : 'failed',
					app: { parameters: { prompt: i % 50 === 0 ? 'rare words' : 'common' } }
				})
			)
		);
		await Promise.all([...puts, tx.done]);
		const expected = Array.from({ length: 700 }, (_, i) => `j${String(699 - i).padStart(4, '0')}`);
		const page = await queryHistory(db, { firstPage: 25 });
		expect(page.items).toHaveLength(25);
		expect(await ids(db, {}, 25)).toEqual(expected);
		// Small chunks: ties cut across chunks, and whole chunks of one time stamp (7 jobs per time, 5 per chunk).
		expect(await ids(db, {}, 25, 5)).toEqual(expected);
		expect(await ids(db, {}, 25, 8)).toEqual(expected);
		expect(await ids(db, { text: 'rare' }, 5)).toEqual(
			expected.filter((id) => Number(id.slice(1)) % 50 === 0)
		);
		expect(await ids(db, { status: 'failed' }, 10)).toEqual(
			expected.filter((id) => Number(id.slice(1)) % 3 === 0)
		);
		expect(await ids(db, { from: 10, to: 20 }, 3)).toEqual(
			expected.filter((id) => {
				const t = Math.floor(Number(id.slice(1)) / 7);
				return t >= 10 && t <= 20;
			})
		);
	}, 20_000);

	it('shows what a card needs: thumbnail, image count, tags, error and execution time', async () => {
		const db = await open();
		await putJob(db, {
			...job('x', 1, {
				status: 'failed',
				app: {
					templateName: 'T',
					images: [{ filename: 'a.png', subfolder: '', type: 'output', hash: 'h1' }],
					tags: ['keep']
				}
			}),
			error: { kind: 'execution', message: 'Node failed', exceptionMessage: 'CUDA out of memory' }
		});
		const [item] = (await queryHistory(db)).items;
		expect(item).toMatchObject({
			id: 'x',
			status: 'failed',
			thumbHash: 'h1',
			imageCount: 1,
			tags: ['keep'],
			error: 'CUDA out of memory',
			durationMs: 1000
		});
	});

	it('lists the templates, servers, statuses and tags for the filter controls', async () => {
		const db = await seeded();
		await setJobTags(db, 'c', ['zeta', 'best']);
		expect(await historyFacets(db)).toEqual({
			templates: [
				{ id: 't2', name: 'Landscape' },
				{ id: 't1', name: 'Portrait' }
			],
			serverIds: ['s1', 's2'],
			statuses: ['failed', 'succeeded'],
			tags: ['best', 'zeta'],
			styles: []
		});
	});

	it('keeps a style label per run: filtered on exactly, searchable, listed, and offered again per template', async () => {
		const db = await open();
		const app = (templateId: string, style?: string) => ({ templateId, ...(style ? { style } : {}) });
		await putJob(db, job('old', 100, { app: app('t1', 'Watercolour') }));
		await putJob(db, job('mid', 200, { app: app('t1', 'ink') }));
		await putJob(db, job('new', 300, { app: app('t1', 'Watercolour') }));
		await putJob(db, job('other', 400, { app: app('t2', 'neon') }));
		await putJob(db, job('none', 500, { app: app('t1') }));

		expect(await ids(db, { style: 'Watercolour' })).toEqual(['new', 'old']);
		expect(await ids(db, { style: 'watercolour' })).toEqual([]);
		expect(await ids(db, { style: 'ink', templateId: 't1' })).toEqual(['mid']);
		expect(await ids(db, { text: 'NEON' })).toEqual(['other']);
		expect((await queryHistory(db, { filter: { style: 'ink' } })).items[0]?.style).toBe('ink');
		expect((await historyFacets(db)).styles).toEqual(['ink', 'neon', 'Watercolour']);
		expect(await stylesOfTemplate(db, { templateId: 't1' })).toEqual(['Watercolour', 'ink']);
		expect(await stylesOfTemplate(db, { templateId: 'none' })).toEqual([]);
	});

	it('cleans a typed style: trimmed, spaces collapsed, bounded', () => {
		expect(normalizeStyle('  oil   on\tcanvas ')).toBe('oil on canvas');
		expect(normalizeStyle('   ')).toBe('');
		expect(normalizeStyle('x'.repeat(100))).toHaveLength(MAX_STYLE_CHARS);
	});

	it('lists other runs of a template for comparison', async () => {
		const db = await seeded();
		expect((await runsOfTemplate(db, { templateId: 't1' })).map((i) => i.id)).toEqual(['c', 'a']);
	});
});

describe('editing and deleting history', () => {
	it('keeps cleaned tags and a note, and finds jobs by them', async () => {
		const db = await open();
		await putJob(db, job('a', 1));
		expect(await setJobTags(db, 'a', [' Sky ', 'sky', '', 'night  time'])).toEqual(['Sky', 'night time']);
		expect(await setJobNote(db, 'a', 'for the poster')).toBe(true);
		expect((await getJob(db, 'a'))?.app).toMatchObject({
			tags: ['Sky', 'night time'],
			note: 'for the poster'
		});
		expect(await ids(db, { tag: 'night time' })).toEqual(['a']);
		expect(await ids(db, { text: 'poster' })).toEqual(['a']);

		await setJobTags(db, 'a', []);
		await setJobNote(db, 'a', '  ');
		expect((await getJob(db, 'a'))?.app).toEqual({});
		expect(await setJobTags(db, 'missing', ['x'])).toBeUndefined();
	});

	it('bounds tags in number and length', () => {
		const many = Array.from({ length: 30 }, (_, i) => `t${i}`);
		expect(normalizeTags(many)).toHaveLength(20);
		expect(normalizeTags(['x'.repeat(100)])[0]).toHaveLength(40);
	});

	it('deletes jobs and their cache entries, and frees only the images nothing else uses', async () => {
		const db = await open();
		const png = (text: string) => new Blob([text], { type: 'image/png' });
		const own = await putImage(db, { blob: png('only in a'), thumbnail: png('thumb') });
		const shared = await putImage(db, { blob: png('in a and b') });
		const image = (hash: string) => ({ filename: `${hash}.png`, subfolder: '', type: 'output', hash });
		await putJob(db, job('a', 1, { app: { images: [image(own), image(shared)] } }));
		await putJob(db, job('b', 2, { app: { images: [image(shared)] } }));
		await putCacheEntry(
			db,
			{
				promptHash: 'p',
				jobId: 'a',
				serverId: 's1',
				imageHashes: [own, shared],
				bytes: 10,
				createdAt: 1,
				lastUsedAt: 1
			},
			{ maxBytes: 1e9 }
		);

		const result = await deleteHistoryJobs(db, ['a', 'unknown']);
		expect(result.deleted).toEqual(['a']);
		expect(result.freedBytes).toBeGreaterThan(0);
		expect(await getJob(db, 'a')).toBeUndefined();
		expect(await db.get('cache', 'p')).toBeUndefined();
		expect(await getImage(db, own)).toBeUndefined();
		expect(await getImage(db, shared)).toBeDefined();
		expect(await ids(db)).toEqual(['b']);
	});
});

describe('diffRuns', () => {
	it('lists the parameters that differ, with values missing on either side', () => {
		const a = job('a', 1, { app: { parameters: { prompt: 'cat', seed: 1, steps: 20 } } });
		const b = job('b', 2, { app: { parameters: { prompt: 'cat', seed: 2, cfg: 7 } } });
		expect(diffRuns(a, b)).toEqual([
			{ key: 'seed', left: 1, right: 2 },
			{ key: 'steps', left: 20, right: undefined },
			{ key: 'cfg', left: undefined, right: 7 }
		]);
		expect(diffRuns(a, a)).toEqual([]);
	});

	it('compares workflow inputs when a run has no form parameters', () => {
		const a = job('a', 1, { prompt: 'cat' });
		const b = job('b', 2, { prompt: 'dog' });
		expect(diffRuns(a, b)).toEqual([{ key: '6.text', left: 'cat', right: 'dog' }]);
	});
});
