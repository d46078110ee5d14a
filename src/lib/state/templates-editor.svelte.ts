import {
	parameterCandidates,
	zTemplate,
	type ObjectInfo,
	type ParameterDef,
	type ParameterValue,
	type Template
} from '$lib/comfy/workflow';
import { parse, safeParse } from '$lib/comfy/parse';

/**
 * The template editor's draft: rename, show or hide, regroup, reorder, set defaults and narrower bounds, bind one
 * field to more inputs, expose more inputs. Saved as a new version; nothing changes until then.
 */
export class TemplateEditorState {
	#base = $state.raw<Template>() as Template;
	#draft = $state() as Template;
	#candidates = $state.raw<ParameterDef[]>([]);

	constructor({ template }: { template: Template }) {
		this.reset(template);
	}

	/** The version being edited, as saved. */
	get base(): Template {
		return this.#base;
	}

	/**
	 * The edited copy. Its fields change through the methods below; the template's name is bound to an input
	 * directly (a deep write into this reactive copy).
	 */
	get draft(): Template {
		return this.#draft;
	}

	/** Inputs of the workflow not yet bound to a field (need the server's node definitions). */
	get candidates(): ParameterDef[] {
		return this.#candidates;
	}

	reset(template: Template = this.#base): void {
		this.#base = template;
		this.#draft = structuredClone(template);
		this.#refreshCandidates();
	}

	#objectInfo: ObjectInfo | undefined;

	setObjectInfo(objectInfo: ObjectInfo): void {
		this.#objectInfo = objectInfo;
		this.#refreshCandidates();
	}

	#refreshCandidates(): void {
		this.#candidates = this.#objectInfo
			? parameterCandidates({
					api: this.#draft.api,
					objectInfo: this.#objectInfo,
					existing: $state.snapshot(this.#draft.parameters) as ParameterDef[]
				})
			: [];
	}

	get dirty(): boolean {
		return JSON.stringify(this.#draft) !== JSON.stringify(this.#base);
	}

	/** What stops saving, as sentences (empty when the draft is a valid template). */
	get problems(): string[] {
		const out: string[] = [];
		const parsed = safeParse(zTemplate, $state.snapshot(this.#draft));
		if (!parsed.success) {
			for (const issue of parsed.error.issues.slice(0, 8)) {
				const [, index, field] = issue.path;
				const p = typeof index === 'number' ? this.#draft.parameters[index] : undefined;
				out.push(
					p
						? `${p.label || p.id}: ${String(field ?? '')} ${issue.message}`.replace(/\s+/g, ' ')
						: `${issue.path.map(String).join('.') || 'Template'}: ${issue.message}`
				);
			}
		}
		for (const p of this.#draft.parameters) {
			if (p.min !== undefined && p.max !== undefined && p.min > p.max)
				out.push(`${p.label}: the minimum is larger than the maximum.`);
		}
		return out;
	}

	#find(id: string): ParameterDef | undefined {
		return this.#draft.parameters.find((p) => p.id === id);
	}

	/** Renames, regroups, shows or hides a field, or changes how its seed or text is entered. */
	update({
		id,
		changes
	}: {
		id: string;
		changes: Partial<Pick<ParameterDef, 'label' | 'group' | 'hidden' | 'seedMode' | 'multiline'>>;
	}): void {
		const p = this.#find(id);
		if (p) Object.assign(p, changes);
	}

	setDefault({ id, value }: { id: string; value: ParameterValue }): void {
		const p = this.#find(id);
		if (p) p.default = value;
	}

	/** Narrower (or, back to the server's, wider) bounds; `undefined` removes one. */
	setBound({ id, which, value }: { id: string; which: 'min' | 'max'; value: number | undefined }): void {
		const p = this.#find(id);
		if (!p) return;
		if (value === undefined || !Number.isFinite(value)) delete p[which];
		else p[which] = value;
	}

	/** Moves a field one place up (-1) or down (1). */
	move({ id, by }: { id: string; by: -1 | 1 }): void {
		const list = this.#draft.parameters;
		const i = list.findIndex((p) => p.id === id);
		const j = i + by;
		if (i < 0 || j < 0 || j >= list.length) return;
		[list[i], list[j]] = [list[j]!, list[i]!];
	}

	/** Removes a field: its inputs keep the workflow's values. */
	remove(id: string): void {
		this.#draft.parameters = this.#draft.parameters.filter((p) => p.id !== id);
		this.#refreshCandidates();
	}

	/** Exposes an input of the workflow as a new visible field. */
	expose(candidateId: string): void {
		const c = this.#candidates.find((x) => x.id === candidateId);
		if (!c) return;
		this.#draft.parameters.push({ ...structuredClone(c), hidden: false });
		this.#refreshCandidates();
	}

	/** Inputs a field could also drive: unbound inputs of the same kind. */
	bindable(id: string): ParameterDef[] {
		const p = this.#find(id);
		return p ? this.#candidates.filter((c) => c.kind === p.kind) : [];
	}

	/** Makes the field also write the candidate's input (one seed driving two samplers). */
	bind({ id, candidateId }: { id: string; candidateId: string }): void {
		const p = this.#find(id);
		const c = this.#candidates.find((x) => x.id === candidateId);
		if (!p || !c) return;
		p.targets.push(...c.targets);
		this.#refreshCandidates();
	}

	/** Stops a field writing one of its inputs (by its place in the field's targets); the last one stays. */
	unbind({ id, index }: { id: string; index: number }): void {
		const p = this.#find(id);
		if (!p || p.targets.length < 2) return;
		p.targets.splice(index, 1);
		this.#refreshCandidates();
	}

	/** The node a target writes, for display: `KSampler "Base" · seed`. */
	describeTarget(target: { nodeId: string; input: string }): string {
		const { nodeId, input } = target;
		const node = Object.hasOwn(this.#draft.api, nodeId) ? this.#draft.api[nodeId] : undefined;
		if (!node) return `${input} of node #${nodeId}`;
		const title = node._meta?.title;
		const named = title && title !== node.class_type ? `"${title}" (${node.class_type})` : node.class_type;
		return `${input} of node #${nodeId}, ${named}`;
	}

	/** The draft as a plain template, ready to save. */
	snapshot(): Template {
		return parse(zTemplate, $state.snapshot(this.#draft));
	}
}
