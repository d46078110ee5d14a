import {
	expandBatch,
	parseValueCsv,
	parseValueLines,
	type AxisName,
	type AxisSpec,
	type BatchIssue,
	type BatchPlan,
	type Expansion,
	type ServerTarget,
	type ValueRows
} from '$lib/comfy/batch';
import type { FormValues, ParameterDef, ParameterValue, SeedMode } from '$lib/comfy/workflow';
import { errorMessage } from '$lib/util/error-message';
import { ANY_SERVER, targetNote, targetOf, type TargetServer } from './batch-target';

/** What starting a batch gave: the grid it made, if it was one. */
export interface BatchStarted {
	gridId?: string;
}

export type AxisKind = AxisSpec['kind'];

/** One grid axis as typed: every field kept as text, so a half-typed value is never lost. */
export interface AxisDraft {
	parameterId: string;
	kind: AxisKind;
	/** One value per line (`values`, and the words of `replace`). */
	text: string;
	start: string;
	end: string;
	step: string;
	choices: (string | number)[];
	search: string;
}

/** A list of values: one per line for a parameter, or a CSV whose header names parameters. */
export interface ListDraft {
	mode: 'off' | 'lines' | 'csv';
	parameterId: string;
	text: string;
}

/** Which builder field an issue belongs to (where it is shown). */
export type IssueField = 'count' | 'list' | AxisName | 'batch';

export const AXES: readonly AxisName[] = ['x', 'y', 'z'];

/** The kinds of axis a parameter allows, the first being the one picked by default. */
export function axisKindsOf(p: ParameterDef | undefined): AxisKind[] {
	if (!p) return [];
	switch (p.kind) {
		case 'INT':
		case 'FLOAT':
			return ['range', 'values'];
		case 'COMBO':
			return p.options?.length ? ['choices', 'values'] : ['values'];
		case 'STRING':
			return ['replace', 'values'];
		default:
			return ['values'];
	}
}

/** Where `expandBatch` said a problem is (`X axis, value 2`, `CSV row 1, Seed`, `Batch count`) → its field. */
export function fieldOfIssue(issue: BatchIssue): IssueField {
	const where = issue.where;
	if (where.startsWith('Batch count')) return 'count';
	for (const axis of AXES) if (where.startsWith(`${axis.toUpperCase()} axis`)) return axis;
	if (where === 'Batch') return 'batch';
	return 'list';
}

const emptyAxis = (): AxisDraft => ({
	parameterId: '',
	kind: 'values',
	text: '',
	start: '',
	end: '',
	step: '',
	choices: [],
	search: ''
});

const lines = (text: string) =>
	text
		.split(/\r\n|\n|\r/)
		.map((l) => l.trim())
		.filter(Boolean);

/**
 * The batch and grid builders of a generate form: a batch count with its seed mode, a list of values (lines or a
 * CSV), and up to three grid axes. Everything typed stays as typed; `expansion` says what it makes (or every
 * problem, by field), and `requestStart` asks before queueing more than 100 runs.
 */
export class BatchBuilderState {
	#count = $state('1');
	#seedMode = $state<SeedMode>('increment');
	#list = $state<ListDraft>({ mode: 'off', parameterId: '', text: '' });
	#axes = $state<Record<AxisName, AxisDraft>>({ x: emptyAxis(), y: emptyAxis(), z: emptyAxis() });
	#confirming = $state<Expansion | null>(null);
	#starting = $state(false);
	#startError = $state('');
	/** The "Run on" choice; null: the form's own server. */
	#target = $state<string | null>(null);
	#lastGridId = $state<string | undefined>(undefined);
	#form: () => { parameters: ParameterDef[]; values: FormValues };
	#start: (expansion: Expansion, target: ServerTarget) => Promise<BatchStarted | void>;
	#servers: () => TargetServer[];
	#formServer: () => string | undefined;
	#waits: boolean;
	#random01: (() => number) | undefined;

	/**
	 * @param options.form the form's parameters (options refreshed from the server) and current values.
	 * @param options.start queues the items of an expansion on a target (throws with a message when it cannot).
	 * @param options.servers every server with its connection, for "Run on" (default none).
	 * @param options.formServer the server the form is set to: "Run on" starts there.
	 * @param options.waits runs wait in the browser queue while their server is away (the app's dispatcher).
	 */
	constructor(options: {
		form: () => { parameters: ParameterDef[]; values: FormValues };
		start: (expansion: Expansion, target: ServerTarget) => Promise<BatchStarted | void>;
		servers?: () => TargetServer[];
		formServer?: () => string | undefined;
		waits?: boolean;
		random01?: () => number;
	}) {
		this.#form = options.form;
		this.#start = options.start;
		this.#servers = options.servers ?? (() => []);
		this.#formServer = options.formServer ?? (() => undefined);
		this.#waits = options.waits ?? false;
		this.#random01 = options.random01;
	}

	/** The servers "Run on" offers. */
	get servers(): TargetServer[] {
		return this.#servers();
	}

	/** "Run on": a server's id or `ANY_SERVER`. */
	get target(): string {
		return this.#target ?? this.#formServer() ?? this.servers[0]?.id ?? ANY_SERVER;
	}
	set target(value: string) {
		this.#target = value;
	}

	/** Why the runs cannot go where "Run on" says now ('' when they can). */
	get targetNote(): string {
		return targetNote({ value: this.target, servers: this.servers, waits: this.#waits });
	}

	/** The grid the last start made (its view: `#/grids/<id>`). */
	get lastGridId(): string | undefined {
		return this.#lastGridId;
	}

	get count(): string {
		return this.#count;
	}
	set count(value: string) {
		this.#count = value;
	}
	get seedMode(): SeedMode {
		return this.#seedMode;
	}
	set seedMode(mode: SeedMode) {
		this.#seedMode = mode;
	}
	get list(): ListDraft {
		return this.#list;
	}
	axis(name: AxisName): AxisDraft {
		return this.#axes[name];
	}
	/** The plan waiting for the user's yes (more than 100 runs), or null. */
	get confirming(): Expansion | null {
		return this.#confirming;
	}
	get starting(): boolean {
		return this.#starting;
	}
	get startError(): string {
		return this.#startError;
	}

	/** Parameters a builder can vary (those the form shows). */
	get parameters(): ParameterDef[] {
		return this.#form().parameters.filter((p) => !p.hidden);
	}

	/** Sets the list's mode, parameter or text. */
	setList(patch: Partial<ListDraft>): void {
		const next = { ...this.#list, ...patch };
		if (next.mode === 'lines' && !next.parameterId) next.parameterId = this.parameters[0]?.id ?? '';
		this.#list = next;
	}

	/** Sets an axis's fields. Picking another parameter starts its fields from that parameter (kind, range). */
	setAxis({ name, patch }: { name: AxisName; patch: Partial<AxisDraft> }): void {
		const current = this.#axes[name];
		let next = { ...current, ...patch };
		if (patch.parameterId !== undefined && patch.parameterId !== current.parameterId) {
			const p = this.parameters.find((x) => x.id === patch.parameterId);
			const value = this.#form().values[patch.parameterId];
			next = { ...emptyAxis(), parameterId: patch.parameterId, kind: axisKindsOf(p)[0] ?? 'values' };
			if (p && (p.kind === 'INT' || p.kind === 'FLOAT')) {
				const start = typeof value === 'number' ? value : Number(p.default ?? p.min ?? 0);
				const step = p.step ?? 1;
				next.start = String(start);
				next.step = String(step);
				next.end = String(Number((start + 3 * step).toFixed(6)));
			}
		}
		this.#axes[name] = next;
	}

	/** Ticks or unticks one of an axis's choices. */
	toggleChoice({ name, choice }: { name: AxisName; choice: string | number }): void {
		const axis = this.#axes[name];
		const on = axis.choices.includes(choice);
		const choices = on ? axis.choices.filter((c) => c !== choice) : [...axis.choices, choice];
		// In the order the parameter lists them, so the grid reads like the server's list.
		const order = this.parameters.find((p) => p.id === axis.parameterId)?.options ?? [];
		choices.sort((a, b) => order.indexOf(a) - order.indexOf(b));
		this.#axes[name] = { ...axis, choices };
	}

	/** Axes with a parameter picked. */
	get usedAxes(): AxisName[] {
		return AXES.filter((a) => this.#axes[a].parameterId);
	}

	/** Whether anything beyond a single Generate is set up. */
	get inUse(): boolean {
		return this.#count.trim() !== '1' || this.#list.mode !== 'off' || this.usedAxes.length > 0;
	}

	/** The plan as typed now (with the form's values), or the problems found before expanding it. */
	plan(): { ok: true; plan: BatchPlan } | { ok: false; issues: BatchIssue[] } {
		const { parameters, values } = this.#form();
		const issues: BatchIssue[] = [];
		const countText = this.#count.trim();
		const count = countText === '' ? Number.NaN : Number(countText);
		let rows: ValueRows | undefined;
		const list = this.#list;
		if (list.mode !== 'off') {
			const p = parameters.find((x) => x.id === list.parameterId);
			const parsed =
				list.mode === 'csv'
					? parseValueCsv({ text: list.text, parameters })
					: p
						? parseValueLines({ text: list.text, parameter: p })
						: {
								ok: false as const,
								issues: [{ where: 'List', message: 'Pick the parameter the list sets.' }]
							};
			if (parsed.ok) rows = parsed.value;
			else issues.push(...parsed.issues);
		}
		const axes: Partial<Record<AxisName, AxisSpec>> = {};
		for (const name of this.usedAxes) axes[name] = this.#specOf(this.#axes[name]);
		if (issues.length) return { ok: false, issues };
		return {
			ok: true,
			plan: {
				parameters,
				values,
				count: Number.isFinite(count) ? count : 0,
				seedMode: this.#seedMode,
				...(rows ? { rows } : {}),
				axes,
				...(this.#random01 ? { random01: this.#random01 } : {})
			}
		};
	}

	// Read by the summary and by every field's issues in one render: expanded once per change.
	#expansion = $derived.by(() => {
		const planned = this.plan();
		return planned.ok ? expandBatch(planned.plan) : planned;
	});

	/** What the builders make now: the items, or every problem. */
	get expansion(): ReturnType<typeof expandBatch> {
		return this.#expansion;
	}

	/** The problems shown on one field. */
	issuesOf(field: IssueField): BatchIssue[] {
		const e = this.expansion;
		return e.ok ? [] : e.issues.filter((i) => fieldOfIssue(i) === field);
	}

	/** "24 runs: 4 CFG × 6 Sampler", or '' while the builders have problems. */
	get summary(): string {
		return describeExpansion(this.expansion, this.#list.mode);
	}

	/** Queues the items, after asking when there are more than 100. False when nothing was started. */
	async requestStart(): Promise<boolean> {
		const e = this.expansion;
		if (!e.ok || this.#starting) return false;
		if (e.needsConfirmation) {
			this.#confirming = e;
			return false;
		}
		return this.#run(e);
	}

	/** The user said yes to a large batch. */
	async confirmStart(): Promise<boolean> {
		const e = this.#confirming;
		this.#confirming = null;
		return e ? this.#run(e) : false;
	}

	cancelConfirm(): void {
		this.#confirming = null;
	}

	async #run(expansion: Expansion): Promise<boolean> {
		this.#starting = true;
		this.#startError = '';
		try {
			const started = await this.#start(expansion, targetOf(this.target));
			this.#lastGridId = started?.gridId ?? this.#lastGridId;
			return true;
		} catch (error) {
			this.#startError = errorMessage(error);
			return false;
		} finally {
			this.#starting = false;
		}
	}

	#specOf(d: AxisDraft): AxisSpec {
		const { parameterId } = d;
		switch (d.kind) {
			case 'range':
				return { kind: 'range', parameterId, start: num(d.start), end: num(d.end), step: num(d.step) };
			case 'choices':
				return { kind: 'choices', parameterId, choices: d.choices };
			case 'replace':
				return { kind: 'replace', parameterId, search: d.search, values: lines(d.text) };
			case 'values':
				return { kind: 'values', parameterId, values: lines(d.text) as ParameterValue[] };
		}
	}
}

const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/** "24 runs: 4 CFG × 6 Sampler × 2 repeats" for an expansion ('' when it has problems). */
export function describeExpansion(e: ReturnType<typeof expandBatch>, listMode: ListDraft['mode']): string {
	if (!e.ok) return '';
	const parts: string[] = [];
	for (const name of ['x', 'y', 'z'] as const) {
		const axis = e.axes[name];
		if (axis) parts.push(`${axis.entries.length} ${axis.title}`);
	}
	if (listMode !== 'off' && e.shape.row > 0)
		parts.push(`${e.shape.row} ${listMode === 'csv' ? 'CSV rows' : 'list values'}`);
	if (e.shape.repeat > 1) parts.push(`${e.shape.repeat} repeats`);
	const runs = `${e.total.toLocaleString('en')} ${e.total === 1 ? 'run' : 'runs'}`;
	return parts.length ? `${runs}: ${parts.join(' × ')}` : runs;
}
