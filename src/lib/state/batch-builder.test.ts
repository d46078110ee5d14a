import { describe, expect, it } from 'vitest';
import type { Expansion, ServerTarget } from '$lib/comfy/batch';
import { PARAMETERS } from '$lib/comfy/batch/testing/parameters';
import type { FormValues } from '$lib/comfy/workflow';
import { axisKindsOf, BatchBuilderState } from './batch-builder.svelte';
import type { TargetServer } from './batch-target';

const values: FormValues = { prompt: 'a cat on a red sofa', seed: 100, steps: 20, cfg: 7, sampler: 'euler' };

function setup({ fail, servers = [] }: { fail?: string; servers?: TargetServer[] } = {}) {
	const started: Expansion[] = [];
	const targets: ServerTarget[] = [];
	const builder = new BatchBuilderState({
		form: () => ({ parameters: PARAMETERS, values }),
		servers: () => servers,
		formServer: () => servers[1]?.id,
		start: async (e, target) => {
			if (fail) throw new Error(fail);
			started.push(e);
			targets.push(target);
			return e.axes.x ? { gridId: `grid-${started.length}` } : {};
		}
	});
	return { builder, started, targets };
}

describe('BatchBuilderState', () => {
	it('is a single run until a builder is used', () => {
		const { builder } = setup();
		expect(builder.inUse).toBe(false);
		expect(builder.summary).toBe('1 run');
	});

	it('builds a 2×3 grid with a batch count and says what it makes before starting', async () => {
		const { builder, started } = setup();
		builder.setAxis({ name: 'x', patch: { parameterId: 'sampler' } });
		builder.toggleChoice({ name: 'x', choice: 'dpmpp_2m' });
		builder.toggleChoice({ name: 'x', choice: 'euler' });
		builder.setAxis({ name: 'y', patch: { parameterId: 'cfg' } });
		builder.setAxis({ name: 'y', patch: { start: '5', end: '6', step: '0.5' } });
		builder.count = '3';
		expect(builder.inUse).toBe(true);
		expect(builder.summary).toBe('18 runs: 2 Sampler × 3 CFG × 3 repeats');
		expect(await builder.requestStart()).toBe(true);
		const items = started[0]?.items ?? [];
		expect(items).toHaveLength(18);
		// Choices run in the order the server lists them, whatever order they were ticked in.
		expect(items.slice(0, 6).map((i) => [i.values.sampler, i.values.cfg, i.values.seed])).toEqual([
			['euler', 5, 100],
			['euler', 5, 101],
			['euler', 5, 102],
			['dpmpp_2m', 5, 100],
			['dpmpp_2m', 5, 101],
			['dpmpp_2m', 5, 102]
		]);
	});

	it('starts a number axis from the form value and the parameter step, and offers the kinds that fit', () => {
		const { builder } = setup();
		builder.setAxis({ name: 'x', patch: { parameterId: 'cfg' } });
		expect(builder.axis('x')).toMatchObject({ kind: 'range', start: '7', step: '0.1', end: '7.3' });
		expect(axisKindsOf(PARAMETERS.find((p) => p.id === 'prompt'))).toEqual(['replace', 'values']);
		expect(axisKindsOf(PARAMETERS.find((p) => p.id === 'sampler'))).toEqual(['choices', 'values']);
		expect(axisKindsOf(PARAMETERS.find((p) => p.id === 'hires'))).toEqual(['values']);
	});

	it('shows each problem on the field it concerns and keeps what was typed', async () => {
		const { builder, started } = setup();
		builder.count = 'two';
		builder.setAxis({ name: 'x', patch: { parameterId: 'steps' } });
		builder.setAxis({ name: 'x', patch: { kind: 'values', text: '10\nlots\n30' } });
		expect(builder.issuesOf('count')).toEqual([
			{ where: 'Batch count', message: 'Enter a whole number of runs, 1 or more.' }
		]);
		expect(builder.issuesOf('x')).toEqual([
			{ where: 'X axis, value 2', message: '"lots" is not a whole number.' }
		]);
		expect(builder.issuesOf('y')).toEqual([]);
		expect(builder.summary).toBe('');
		expect(await builder.requestStart()).toBe(false);
		expect(started).toHaveLength(0);
		expect(builder.axis('x').text).toBe('10\nlots\n30');
		expect(builder.count).toBe('two');
	});

	it('refuses one parameter on two axes, on the second axis', () => {
		const { builder } = setup();
		builder.setAxis({ name: 'x', patch: { parameterId: 'cfg' } });
		builder.setAxis({ name: 'y', patch: { parameterId: 'cfg' } });
		expect(builder.issuesOf('x')).toEqual([]);
		expect(builder.issuesOf('y')[0]?.message).toMatch(/already varied by the X axis/);
	});

	it('runs a prompt search-and-replace axis, and says when the word is not in the prompt', () => {
		const { builder } = setup();
		builder.setAxis({ name: 'x', patch: { parameterId: 'prompt' } });
		builder.setAxis({ name: 'x', patch: { search: 'cat', text: 'fox\nowl' } });
		const e = builder.expansion;
		expect(e.ok && e.items.map((i) => i.values.prompt)).toEqual([
			'a fox on a red sofa',
			'a owl on a red sofa'
		]);
		builder.setAxis({ name: 'x', patch: { search: 'dog' } });
		expect(builder.issuesOf('x')[0]?.message).toMatch(/"dog" is not in Prompt/);
	});

	it('takes a list, one value per line, or a CSV whose header names parameters', () => {
		const { builder } = setup();
		builder.setList({ mode: 'lines', parameterId: 'steps', text: '10\n\n20\n' });
		expect(builder.summary).toBe('2 runs: 2 list values');
		builder.setList({ mode: 'csv', text: 'steps,CFG\n10,4.5\n20,6\n30,' });
		const e = builder.expansion;
		expect(builder.summary).toBe('3 runs: 3 CSV rows');
		expect(e.ok && e.items.map((i) => [i.values.steps, i.values.cfg])).toEqual([
			[10, 4.5],
			[20, 6],
			[30, 7]
		]);
		builder.setList({ text: 'steps,colour\n10,red' });
		expect(builder.issuesOf('list')[0]).toMatchObject({ where: 'CSV column 2' });
	});

	it('asks before queueing more than 100 runs, and queues only after a yes', async () => {
		const { builder, started } = setup();
		builder.count = '120';
		expect(await builder.requestStart()).toBe(false);
		expect(builder.confirming?.total).toBe(120);
		expect(started).toHaveLength(0);
		builder.cancelConfirm();
		expect(builder.confirming).toBeNull();
		expect(started).toHaveLength(0);
		await builder.requestStart();
		expect(await builder.confirmStart()).toBe(true);
		expect(started[0]?.items).toHaveLength(120);
	});

	it('says why a batch could not be queued', async () => {
		const { builder } = setup({ fail: 'No server is set up.' });
		builder.count = '2';
		expect(await builder.requestStart()).toBe(false);
		expect(builder.startError).toBe('No server is set up.');
		expect(builder.starting).toBe(false);
	});

	it("runs on the form's server unless another or any free server is picked, and says when it is offline", async () => {
		const servers: TargetServer[] = [
			{ id: 's1', name: 'Studio box', status: 'online' },
			{ id: 's2', name: 'Attic', status: 'offline' }
		];
		const { builder, targets } = setup({ servers });
		builder.count = '2';
		expect(builder.target).toBe('s2');
		expect(builder.targetNote).toMatch(/^Attic cannot be reached now/);
		builder.target = 'any';
		expect(builder.targetNote).toBe('');
		await builder.requestStart();
		builder.target = 's1';
		await builder.requestStart();
		expect(targets).toEqual([{ kind: 'any' }, { kind: 'server', serverId: 's1' }]);
	});

	it('links the last grid it started, and keeps it when a plain batch follows', async () => {
		const { builder } = setup();
		expect(builder.lastGridId).toBeUndefined();
		builder.setAxis({ name: 'x', patch: { parameterId: 'steps' } });
		await builder.requestStart();
		expect(builder.lastGridId).toBe('grid-1');
		builder.setAxis({ name: 'x', patch: { parameterId: '' } });
		builder.count = '2';
		await builder.requestStart();
		expect(builder.lastGridId).toBe('grid-1');
	});
});
