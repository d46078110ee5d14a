// The order of an API workflow's nodes from its links, for a form that follows the graph.
import { isApiLink, type ApiWorkflow } from './types';

/** Node ids, sources before the nodes that use them (ties by numeric id); cycles fall back to id order. */
export function topologicalOrder(api: ApiWorkflow): string[] {
	const collator = new Intl.Collator('en', { numeric: true });
	const ids = Object.keys(api).sort(collator.compare);
	const indegree = new Map(ids.map((id) => [id, 0]));
	const users = new Map<string, string[]>();
	for (const id of ids) {
		for (const value of Object.values(api[id]!.inputs)) {
			if (isApiLink(value) && indegree.has(value[0]) && value[0] !== id) {
				indegree.set(id, indegree.get(id)! + 1);
				users.set(value[0], [...(users.get(value[0]) ?? []), id]);
			}
		}
	}
	const ready = ids.filter((id) => indegree.get(id) === 0);
	const out: string[] = [];
	while (ready.length > 0) {
		const id = ready.shift()!;
		out.push(id);
		for (const user of users.get(id) ?? []) {
			indegree.set(user, indegree.get(user)! - 1);
			if (indegree.get(user) === 0) {
				ready.push(user);
				ready.sort(collator.compare);
			}
		}
	}
	for (const id of ids) if (!out.includes(id)) out.push(id);
	return out;
}
