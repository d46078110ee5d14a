// Read-only server information routes: system_stats, features, models, embeddings, extensions, object_info,
// the single-user user manager, settings and /free. Bodies copy the shapes a real ComfyUI 0.8 answers.
import { freemem, totalmem } from 'node:os';
import { empty, json, parseJsonBody, parseJsonObject } from './http-kit';
import { buildObjectInfo } from './object-info';
import type { Route } from './router';
import type { Simulator } from './simulator';

/** Flags a ComfyUI 0.8 server announces on `/features` and in the `feature_flags` handshake. */
export function serverFeatures(): Record<string, unknown> {
	return {
		supports_preview_metadata: true,
		max_upload_size: 104857600,
		extension: { manager: { supports_v4: true } }
	};
}

function systemStats(sim: Simulator): unknown {
	const total = totalmem();
	const free = freemem();
	return {
		system: {
			os: 'linux',
			ram_total: total,
			ram_free: free,
			comfyui_version: '0.8.0',
			required_frontend_version: '1.35.9',
			installed_templates_version: null,
			required_templates_version: '0.7.67',
			python_version: '3.11.7 (main, May  9 2026, 07:35:25) [GCC 12.2.0]',
			pytorch_version: '2.13.0+cpu',
			embedded_python: false,
			argv: sim.argv()
		},
		devices: [
			{
				name: 'cpu',
				type: 'cpu',
				index: null,
				vram_total: total,
				vram_free: free,
				torch_vram_total: total,
				torch_vram_free: free
			}
		]
	};
}

export function infoRoutes(sim: Simulator): Route[] {
	return [
		{ method: 'GET', path: '/', handler: (req) => sim.staticRoot.index(req) },
		{ method: 'GET', path: '/system_stats', handler: () => json(systemStats(sim)) },
		{ method: 'GET', path: '/features', handler: () => json(serverFeatures()) },
		{ method: 'GET', path: '/models', handler: () => json(sim.models.folders()) },
		{
			method: 'GET',
			path: '/models/{folder}',
			handler: (req) => {
				const files = sim.models.list(req.params['folder'] ?? '');
				return files === null ? empty(404) : json(files);
			}
		},
		{
			method: 'GET',
			path: '/embeddings',
			handler: () => json((sim.models.list('embeddings') ?? []).map((name) => name.replace(/\.[^./]*$/, '')))
		},
		{ method: 'GET', path: '/extensions', handler: () => json([]) },
		{ method: 'GET', path: '/object_info', handler: () => sim.objectInfoReply() },
		{
			method: 'GET',
			path: '/object_info/{node_class}',
			handler: (req) => {
				const name = req.params['node_class'] ?? '';
				const info = buildObjectInfo(sim.models, sim.files);
				const def = info[name];
				return json(def ? { [name]: def } : {});
			}
		},
		{ method: 'GET', path: '/users', handler: () => json({ storage: 'server', migrated: false }) },
		{ method: 'GET', path: '/settings', handler: () => json(sim.settings) },
		{
			method: 'POST',
			path: '/settings',
			handler: (req) => {
				Object.assign(sim.settings, parseJsonObject(req));
				return empty(200);
			}
		},
		{
			method: 'GET',
			path: '/settings/{id}',
			handler: (req) => json(sim.settings[req.params['id'] ?? ''] ?? null)
		},
		{
			method: 'POST',
			path: '/settings/{id}',
			handler: (req) => {
				sim.settings[req.params['id'] ?? ''] = parseJsonBody(req);
				return empty(200);
			}
		},
		{
			method: 'POST',
			path: '/free',
			handler: (req) => {
				parseJsonBody(req);
				return empty(200);
			}
		}
	];
}
