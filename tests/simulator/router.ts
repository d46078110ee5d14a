// Route table with ComfyUI's addressing: every route answers both as `/x` and as `/api/x`, `{name}` segments
// capture one path segment, and a known path with the wrong method is a raised 405.
import { raisedStatus, type RouteHandler, type SimReply, type SimRequest } from './http-kit';

export interface Route {
	method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
	/** Pattern such as `/history/{prompt_id}`. */
	path: string;
	handler: RouteHandler;
}

interface CompiledRoute extends Route {
	regex: RegExp;
	names: string[];
}

function compile(route: Route): CompiledRoute {
	const names: string[] = [];
	const source = route.path
		.split('/')
		.map((segment) => {
			const match = /^\{(\w+)\}$/.exec(segment);
			if (!match?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
			names.push(match[1]);
			return '([^/]+)';
		})
		.join('/');
	return { ...route, regex: new RegExp(`^${source}$`), names };
}

/** Matches requests against routes; `fallback` answers unmatched GETs (the static front end). */
export class Router {
	private readonly routes: CompiledRoute[];

	constructor(
		routes: Route[],
		private readonly fallback: RouteHandler
	) {
		this.routes = routes.map(compile);
	}

	/** Strips one leading `/api` (ComfyUI registers every route a second time under it). */
	static routePath(rawPath: string): string {
		if (rawPath === '/api') return '/';
		return rawPath.startsWith('/api/') ? rawPath.slice(4) : rawPath;
	}

	async handle(req: Omit<SimRequest, 'params' | 'path'>): Promise<SimReply> {
		const candidates = [Router.routePath(req.rawPath)];
		if (candidates[0] !== req.rawPath) candidates.push(req.rawPath);
		let pathKnown = false;
		for (const path of candidates) {
			for (const route of this.routes) {
				const match = route.regex.exec(path);
				if (!match) continue;
				pathKnown = true;
				const method = req.method === 'HEAD' ? 'GET' : req.method;
				if (route.method !== method) continue;
				const params: Record<string, string> = {};
				route.names.forEach((name, i) => (params[name] = match[i + 1] ?? ''));
				return route.handler({ ...req, path, params });
			}
		}
		if (pathKnown) return raisedStatus(405);
		if (req.method === 'GET' || req.method === 'HEAD') {
			return this.fallback({ ...req, path: req.rawPath, params: {} });
		}
		return raisedStatus(404);
	}
}
