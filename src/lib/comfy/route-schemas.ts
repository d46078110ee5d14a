/**
 * Schemas of the REST routes no job needs (stats, uploads, object_info, model lists): only `api-routes.ts` reads
 * them, so they load with it, on the first call of such a route (the barrel exports them with the others).
 */
import * as z from './guard';
import { zJobSummary } from './schemas';

/** `GET /api/system_stats`. Sizes are bytes. */
export const zSystemStats = z.looseObject({
	system: z.looseObject({
		os: z.string(),
		ram_total: z.optional(z.number()),
		ram_free: z.optional(z.number()),
		comfyui_version: z.optional(z.string()),
		required_frontend_version: z.optional(z.string()),
		python_version: z.string(),
		pytorch_version: z.optional(z.string()),
		embedded_python: z.optional(z.boolean()),
		argv: z.optional(z.array(z.string()))
	}),
	devices: z.array(
		z.looseObject({
			name: z.string(),
			type: z.string(),
			index: z.optional(z.nullable(z.number())),
			vram_total: z.optional(z.number()),
			vram_free: z.optional(z.number()),
			torch_vram_total: z.optional(z.number()),
			torch_vram_free: z.optional(z.number())
		})
	)
});
export type SystemStats = z.infer<typeof zSystemStats>;

/** `GET /api/prompt`. */
export const zPromptInfo = z.looseObject({
	exec_info: z.looseObject({ queue_remaining: z.number() })
});
export type PromptInfo = z.infer<typeof zPromptInfo>;

/** `POST /api/upload/image` and `/api/upload/mask`. */
export const zUploadResponse = z.looseObject({
	name: z.string(),
	subfolder: z._default(z.string(), ''),
	type: z._default(z.string(), 'input')
});
export type UploadResponse = z.infer<typeof zUploadResponse>;

/** Any JSON object (read further by a specific parser). */
export const zUnknownRecord = z.record(z.string(), z.unknown());

/** `GET /api/models`, `/api/models/{folder}`, `/api/embeddings`, `/api/extensions`. */
export const zStringList = z.array(z.string());
export type StringList = z.infer<typeof zStringList>;

/** `GET /api/object_info`: the workflow module owns the precise node-definition schema. */
export { zNodeDef, zObjectInfo, type NodeDef, type ObjectInfo } from './workflow/object-info';

/** `GET /api/jobs`. */
export const zJobList = z.looseObject({
	jobs: z.array(zJobSummary),
	pagination: z.optional(
		z.looseObject({
			offset: z.optional(z.number()),
			limit: z.optional(z.nullable(z.number())),
			total: z.optional(z.number()),
			has_more: z.optional(z.boolean())
		})
	)
});
export type JobList = z.infer<typeof zJobList>;
