import { describe, expect, it } from 'vitest';
import { realObjectInfo } from '../workflow/testing/fixtures';
import type { JobRecord } from '../index';
import { chooseServer, decideInFlight, mayMoveItem, type ServerSnapshot } from './dispatch-decision';
import { capabilitiesOf, requirementsOf } from './requirements';
import { objectInfoWith, TXT2IMG } from './testing/servers';

const needs = requirementsOf({ api: TXT2IMG, objectInfo: realObjectInfo() });
const everything = capabilitiesOf({
	objectInfo: objectInfoWith({
		checkpoints: ['sd_xl_base_1.0.safetensors'],
		loras: ['add_detail.safetensors'],
		vae: ['vae-ft-mse-840000-ema-pruned.safetensors']
	})
});
const noLora = capabilitiesOf({
	objectInfo: objectInfoWith({
		checkpoints: ['sd_xl_base_1.0.safetensors'],
		vae: ['vae-ft-mse-840000-ema-pruned.safetensors']
	})
});

function server(id: string, name: string, extra: Partial<ServerSnapshot> = {}): ServerSnapshot {
	return { id, name, health: { socket: 'open', queueLength: 0 }, capabilities: everything, ...extra };
}

const choose = (servers: ServerSnapshot[], options: Partial<Parameters<typeof chooseServer>[0]> = {}) =>
	chooseServer({
		needs,
		target: { kind: 'any' },
		servers,
		inFlight: new Map(),
		maxInFlight: 2,
		queueThreshold: 8,
		...options
	});

describe('chooseServer', () => {
	it('picks the healthy server with the shortest queue', () => {
		const servers = [
			server('a', 'Studio box', { health: { socket: 'open', queueLength: 3 } }),
			server('b', 'Laptop', { health: { socket: 'open', queueLength: 1 } })
		];
		expect(choose(servers)).toEqual({ ok: true, serverId: 'b' });
	});

	it("counts our items in flight that a server's status does not show yet", () => {
		const servers = [server('a', 'Studio box'), server('b', 'Laptop')];
		const inFlight = new Map([['a', 1]]);
		expect(choose(servers, { inFlight })).toEqual({ ok: true, serverId: 'b' });
	});

	it('breaks ties by free VRAM, then latency, then list order', () => {
		const h = (freeVramBytes: number, latencyMs: number) => ({
			socket: 'open' as const,
			queueLength: 0,
			freeVramBytes,
			latencyMs
		});
		expect(
			choose([server('a', 'A', { health: h(1e9, 5) }), server('b', 'B', { health: h(8e9, 50) })])
		).toEqual({
			ok: true,
			serverId: 'b'
		});
		expect(
			choose([server('a', 'A', { health: h(1e9, 50) }), server('b', 'B', { health: h(1e9, 5) })])
		).toEqual({
			ok: true,
			serverId: 'b'
		});
		expect(choose([server('a', 'A'), server('b', 'B')])).toEqual({ ok: true, serverId: 'a' });
	});

	it('skips servers without the models or nodes, offline, full or over the threshold, saying why', () => {
		const servers = [
			server('a', 'Studio box', { capabilities: noLora }),
			server('b', 'Laptop', { health: { socket: 'reconnecting' } }),
			server('c', 'Attic', { health: { socket: 'open', queueLength: 12 } }),
			server('d', 'Cloud'),
			server('e', 'New one', { health: undefined })
		];
		const r = choose(servers, { inFlight: new Map([['d', 2]]) });
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.refusals).toEqual([
			{
				serverId: 'a',
				code: 'missing-models',
				message: 'Studio box does not have the LoRA add_detail.safetensors.'
			},
			{ serverId: 'b', code: 'offline', message: 'Laptop is offline, reconnecting.' },
			{ serverId: 'c', code: 'backpressure', message: 'waiting: Attic has 12 queued, threshold 8' },
			{ serverId: 'd', code: 'full', message: 'Cloud already has 2 of ours in flight (limit 2).' },
			{ serverId: 'e', code: 'unchecked', message: 'New one has not been checked yet.' }
		]);
		expect(r.summary).toMatch(/^No server can take it now: Studio box does not have/);
		expect(r.unrunnable).toBe(false);
	});

	it('says when no server has what the item needs (waiting will not help)', () => {
		const info = objectInfoWith({});
		delete info.LoraLoader;
		const r = choose([
			server('a', 'Studio box', { capabilities: noLora }),
			server('b', 'Laptop', { capabilities: capabilitiesOf({ objectInfo: info }) })
		]);
		expect(r).toMatchObject({
			ok: false,
			unrunnable: true,
			summary:
				'No server has what this needs: Studio box does not have the LoRA add_detail.safetensors. Laptop lacks the node LoraLoader: install the custom nodes that provide it there.'
		});
	});

	it('keeps an item for a fixed server on it, and says what happens while it is away', () => {
		const servers = [server('a', 'Studio box', { health: { socket: 'closed' } }), server('b', 'Laptop')];
		expect(choose(servers, { target: { kind: 'server', serverId: 'a' } })).toMatchObject({
			ok: false,
			summary: 'Studio box is disconnected.',
			unrunnable: false
		});
		expect(choose(servers, { target: { kind: 'server', serverId: 'b' } })).toEqual({
			ok: true,
			serverId: 'b'
		});
		expect(choose(servers, { target: { kind: 'server', serverId: 'gone' } })).toMatchObject({
			ok: false,
			summary: 'Its server (gone) is not in Settings any more: choose another server for it.'
		});
		expect(choose([])).toMatchObject({ ok: false, summary: 'No server is set up: add one in Settings.' });
	});

	it('sends the items of a server that went away to the others', () => {
		const servers = [
			server('a', 'Studio box', { health: { socket: 'reconnecting', queueLength: 0 } }),
			server('b', 'Laptop', { health: { socket: 'open', queueLength: 5 } })
		];
		expect(choose(servers)).toEqual({ ok: true, serverId: 'b' });
	});
});

describe('decideInFlight', () => {
	const decide = (answer: Parameters<typeof decideInFlight>[0]['answer'], serverRemoved = false) =>
		decideInFlight({ serverName: 'Studio box', serverRemoved, answer });

	it('follows the server while it has the item', () => {
		expect(decide({ status: 'queued' })).toEqual({ action: 'wait', reason: "In Studio box's queue." });
		expect(decide({ status: 'running' })).toEqual({ action: 'running' });
		expect(decide({ status: 'succeeded' })).toEqual({ action: 'done' });
	});

	it('frees the slot of a run the socket saw end, but keeps following it until the server confirms', () => {
		expect(decide({ status: 'running', finishedOnSocket: true })).toEqual({ action: 'ended-on-socket' });
		expect(decide({ status: 'succeeded', finishedOnSocket: true })).toEqual({ action: 'done' });
	});

	it('sends again a run that ended on the socket when its server died before confirming and its files are gone', () => {
		const lost = {
			status: 'lost' as const,
			finishedOnSocket: true,
			error: { kind: 'lost' as const, message: 'The server restarted before it confirmed job 1.' }
		};
		expect(decide(lost)).toEqual({
			action: 'requeue',
			reason: 'Studio box lost it (restarted?); it goes out again.'
		});
	});

	it('waits for a server that is away instead of sending the item elsewhere', () => {
		expect(decide(undefined)).toEqual({ action: 'wait', reason: 'Asking Studio box about it.' });
		expect(decide({ status: 'pending', error: { kind: 'connection', message: 'unreachable' } })).toEqual({
			action: 'wait',
			reason: 'Waiting for Studio box to say whether it got it.'
		});
	});

	it('sends it again only when the server proved it lost it or never got it', () => {
		expect(decide({ status: 'lost' })).toEqual({
			action: 'requeue',
			reason: 'Studio box lost it (restarted?); it goes out again.'
		});
		expect(
			decide({ status: 'lost', error: { kind: 'lost', message: 'never received', received: false } })
		).toEqual({
			action: 'requeue',
			reason: 'Studio box never received it; it goes out again.'
		});
		expect(decide({ status: 'failed', error: { kind: 'connection', message: 'CORS blocked' } })).toEqual({
			action: 'requeue',
			reason: 'Studio box could not be reached: CORS blocked'
		});
	});

	it('ends it when it failed or was cancelled there', () => {
		expect(decide({ status: 'failed', error: { kind: 'execution', message: 'CUDA out of memory' } })).toEqual(
			{
				action: 'failed',
				error: 'CUDA out of memory'
			}
		);
		expect(
			decide({ status: 'interrupted', error: { kind: 'interrupted', message: 'Cancelled by you.' } })
		).toEqual({
			action: 'failed',
			error: 'Cancelled by you.'
		});
	});

	it('moves it elsewhere when the user removed its server, unless it had finished', () => {
		expect(decide({ status: 'running' }, true)).toEqual({
			action: 'requeue',
			reason: 'Studio box was removed from Settings.'
		});
		expect(decide({ status: 'succeeded' }, true)).toEqual({ action: 'done' });
	});
});

describe('mayMoveItem', () => {
	const running = (nodesDone: number): JobRecord => ({
		id: 'p',
		serverUrl: 'http://box/',
		workflow: TXT2IMG,
		status: 'running',
		outputs: [],
		timings: { created: 0 },
		attempts: 1,
		progress: { nodesDone, nodesTotal: 3, cachedNodes: 0, value: nodesDone, max: 20 }
	});

	it('skips a step of progress or a preview, and not a new status, an error or the last node ending', () => {
		expect(mayMoveItem({ kind: 'updated', job: running(1), previous: running(0) })).toBe(false);
		expect(mayMoveItem({ kind: 'updated', job: running(1), previous: running(1), preview: undefined })).toBe(
			false
		);
		expect(mayMoveItem({ kind: 'updated', job: running(3), previous: running(2) })).toBe(true);
		const failed = { ...running(1), status: 'failed' as const };
		expect(mayMoveItem({ kind: 'updated', job: failed, previous: running(1) })).toBe(true);
		const error = { ...running(1), error: { kind: 'timeout' as const, message: 'silent' } };
		expect(mayMoveItem({ kind: 'updated', job: error, previous: running(1) })).toBe(true);
		expect(mayMoveItem({ kind: 'added', job: running(0) })).toBe(true);
		expect(mayMoveItem({ kind: 'removed', job: running(0) })).toBe(true);
	});
});
