import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { addItems, emptyQueue } from '$lib/comfy/batch';
import { saveBrowserQueue } from '$lib/storage/browser-queue';
import { openDeckDb } from '$lib/storage/db';
import { DispatchLoader } from './dispatch-loader.svelte';

const uniqueName = () => `dispatch-loader-${Math.random().toString(36).slice(2)}`;
const workflow = { '1': { class_type: 'EmptyImage', inputs: { width: 8 } } };

describe('DispatchLoader.hasWorkFor', () => {
	it('counts a batch as running until the stored queue was looked for, then as over when none was stored', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		const loader = new DispatchLoader({ db: Promise.resolve(db) });
		expect(loader.settled).toBe(false);
		expect(loader.hasWorkFor('grid-1')).toBe(true);
		await loader.resumeIfStored();
		expect(loader.current).toBeUndefined();
		expect(loader.settled).toBe(true);
		expect(loader.hasWorkFor('grid-1')).toBe(false);
		db.close();
	});

	it('after a reload mid-batch, knows the batch still has runs once the stored queue is read', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		const { state } = addItems(emptyQueue(), {
			items: [{ id: 'w', workflow, group: { id: 'grid-1', key: 'x0' } }],
			now: 1
		});
		await saveBrowserQueue(db, { state, now: 2 });
		const loader = new DispatchLoader({ db: Promise.resolve(db) });
		await loader.resumeIfStored();
		const queue = loader.current;
		expect(queue).toBeDefined();
		// Loaded, not read yet: its entries are still empty, which must not read as "the batch is over".
		expect(loader.hasWorkFor('grid-1')).toBe(true);
		await queue?.start({ servers: () => [] });
		expect(loader.settled).toBe(true);
		expect(loader.hasWorkFor('grid-1')).toBe(true);
		expect(loader.hasWorkFor('grid-2')).toBe(false);
		queue?.close();
		db.close();
	});
});
