import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb } from './db';
import { addStatsSample, listStatsSamples, pruneStatsSamples } from './stats';

let n = 0;
const uniqueName = () => `deck-stats-test-${n++}-${Math.random().toString(36).slice(2)}`;

describe('stats samples', () => {
	it('lists one server’s samples in a time span, oldest first', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		for (const t of [3000, 1000, 2000]) await addStatsSample(db, { serverId: 'a', t, queue: t / 1000 });
		await addStatsSample(db, { serverId: 'b', t: 2500, queue: 9 });

		expect((await listStatsSamples(db, { serverId: 'a', since: 1500 })).map((s) => s.t)).toEqual([
			2000, 3000
		]);
		expect(await listStatsSamples(db, { serverId: 'b', since: 0 })).toEqual([
			{ serverId: 'b', t: 2500, queue: 9 }
		]);
		expect(await listStatsSamples(db, { serverId: 'a', since: 0, until: 1000 })).toHaveLength(1);
		db.close();
	});

	it('replaces a sample taken at the same time', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		await addStatsSample(db, { serverId: 'a', t: 1000, queue: 1 });
		await addStatsSample(db, { serverId: 'a', t: 1000, queue: 2 });
		expect(await listStatsSamples(db, { serverId: 'a', since: 0 })).toEqual([
			{ serverId: 'a', t: 1000, queue: 2 }
		]);
		db.close();
	});

	it('prunes what is older than the kept hour, for every server', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		for (const t of [1000, 2000, 3000]) {
			await addStatsSample(db, { serverId: 'a', t });
			await addStatsSample(db, { serverId: 'b', t });
		}
		expect(await pruneStatsSamples(db, { before: 3000 })).toBe(4);
		expect(await listStatsSamples(db, { serverId: 'a', since: 0 })).toEqual([{ serverId: 'a', t: 3000 }]);
		expect(await listStatsSamples(db, { serverId: 'b', since: 0 })).toEqual([{ serverId: 'b', t: 3000 }]);
		db.close();
	});
});
