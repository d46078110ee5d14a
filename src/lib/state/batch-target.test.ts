import { describe, expect, it } from 'vitest';
import { ANY_SERVER, pickFreeServer, targetNote, targetOf, type TargetServer } from './batch-target';

const studio: TargetServer = { id: 's1', name: 'Studio box', status: 'online', queueLength: 4 };
const laptop: TargetServer = { id: 's2', name: 'Laptop', status: 'online', queueLength: 1 };
const attic: TargetServer = {
	id: 's3',
	name: 'Attic',
	status: 'offline',
	queueLength: 0,
	message: 'Nothing answers at http://attic:8188/.'
};

describe('pickFreeServer', () => {
	it('takes the online server with the shortest queue, never an offline one however empty', () => {
		expect(pickFreeServer([studio, laptop, attic])?.id).toBe('s2');
		expect(pickFreeServer([attic, studio])?.id).toBe('s1');
		expect(pickFreeServer([attic])).toBeUndefined();
	});

	it('counts an unknown queue length as longest and keeps the first listed on a tie', () => {
		const unknown = { id: 's4', name: 'New', status: 'online' as const };
		expect(pickFreeServer([unknown, studio])?.id).toBe('s1');
		expect(pickFreeServer([{ ...studio, queueLength: 1 }, laptop])?.id).toBe('s1');
	});
});

describe('targetNote', () => {
	it('is silent while the choice can run', () => {
		expect(targetNote({ value: 's1', servers: [studio, attic] })).toBe('');
		expect(targetNote({ value: ANY_SERVER, servers: [studio, attic] })).toBe('');
		expect(targetNote({ value: 's1', servers: [{ ...studio, status: 'checking' }] })).toBe('');
	});

	it('says a chosen server is offline, why, and offers the others', () => {
		expect(targetNote({ value: 's3', servers: [studio, attic] })).toBe(
			'Attic cannot be reached now, so runs cannot go to it. Nothing answers at http://attic:8188/. ' +
				'Pick another server or "Any free server".'
		);
		expect(targetNote({ value: 's3', servers: [attic] })).toMatch(
			/Start it, or check its address in Settings\.$/
		);
	});

	it('says when no server at all can take the runs', () => {
		expect(targetNote({ value: ANY_SERVER, servers: [attic] })).toMatch(/^No server can be reached now/);
		expect(targetNote({ value: ANY_SERVER, servers: [] })).toBe(
			'Add a ComfyUI server in Settings to queue runs.'
		);
		expect(targetNote({ value: 'gone', servers: [studio] })).toMatch(/no longer in Settings/);
	});
});

describe('targetOf', () => {
	it('turns the field into the dispatcher target', () => {
		expect(targetOf(ANY_SERVER)).toEqual({ kind: 'any' });
		expect(targetOf('s1')).toEqual({ kind: 'server', serverId: 's1' });
	});
});

describe('targetNote with the browser queue', () => {
	it('says the runs wait in the browser while the server picked, or every server, is away', () => {
		expect(targetNote({ value: 's3', servers: [studio, attic], waits: true })).toBe(
			'Attic cannot be reached now: the runs wait in this browser until it is back. ' +
				'Nothing answers at http://attic:8188/. Pick another server or "Any free server".'
		);
		expect(targetNote({ value: ANY_SERVER, servers: [attic], waits: true })).toBe(
			'No server can be reached now: the runs wait in this browser until one is back.'
		);
	});
});
