/**
 * A template: an API workflow plus the form built on it. What the app stores (IndexedDB) and shares (links).
 */
import * as z from 'zod/mini';
import { zParameterDef, type ParameterDef } from './parameter-def';
import { slug } from './parameter-names';
import { zApiWorkflow, zUiWorkflow, type ApiWorkflow, type UiWorkflow } from './types';
import { parse } from '../parse';

/** Template ids appear in URLs (`#/generate/<id>`): lowercase letters, digits, `-`. */
export const TEMPLATE_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const TEMPLATE_VERSION = 1;

export const zTemplate = z
	.object({
		version: z.literal(TEMPLATE_VERSION),
		id: z.string().check(z.regex(TEMPLATE_ID)),
		name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
		description: z.optional(z.string().check(z.maxLength(5000))),
		/** The workflow that runs; parameters write into a copy of it. */
		api: zApiWorkflow,
		/** The editor workflow it came from, when known (to reopen it in ComfyUI). */
		ui: z.optional(zUiWorkflow),
		parameters: z.array(zParameterDef).check(z.maxLength(500)),
		/** Where it came from: `api`, `ui`, `png`, `webp`, `share`. */
		source: z.optional(z.string().check(z.maxLength(20))),
		createdAt: z.int().check(z.nonnegative()),
		updatedAt: z.int().check(z.nonnegative())
	})
	.check(
		z.superRefine((t, ctx) => {
			const seen = new Set<string>();
			t.parameters.forEach((p, i) => {
				if (seen.has(p.id)) {
					ctx.addIssue({
						code: 'custom',
						path: ['parameters', i, 'id'],
						message: `Two parameters share the id "${p.id}".`
					});
				}
				seen.add(p.id);
				p.targets.forEach((target, j) => {
					if (!Object.hasOwn(t.api, target.nodeId)) {
						ctx.addIssue({
							code: 'custom',
							path: ['parameters', i, 'targets', j, 'nodeId'],
							message: `Parameter "${p.label}" writes to node "${target.nodeId}", which is not in the workflow.`
						});
					}
				});
			});
		})
	);
export type Template = z.infer<typeof zTemplate>;

/** A readable template id from its name, unique among `existingIds` (`sdxl-portrait`, `sdxl-portrait-2`…). */
export function templateIdFor({
	name,
	existingIds = []
}: {
	name: string;
	existingIds?: Iterable<string>;
}): string {
	const taken = new Set(existingIds);
	const base = slug(name).replace(/_/g, '-').slice(0, 56).replace(/-+$/, '') || 'template';
	let id = base;
	for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
	return id;
}

/** Builds a valid template (throws a zod error only on a programming mistake, e.g. a bad parameter). */
export function createTemplate({
	name,
	api,
	ui,
	parameters,
	source,
	existingIds,
	now = Date.now()
}: {
	name: string;
	api: ApiWorkflow;
	ui?: UiWorkflow;
	parameters: ParameterDef[];
	source?: string;
	existingIds?: Iterable<string>;
	now?: number;
}): Template {
	return parse(zTemplate, {
		version: TEMPLATE_VERSION,
		id: templateIdFor({ name, existingIds }),
		name: name.trim().slice(0, 200) || 'Untitled template',
		api,
		ui,
		parameters,
		source,
		createdAt: now,
		updatedAt: now
	});
}
