import { untrack } from 'svelte';
import type { ComfyClient, JobRecord } from '$lib/comfy';
import { capabilitiesOf, type DispatchServer, type ServerCapabilities } from '$lib/comfy/batch';
import type { ObjectInfo } from '$lib/comfy/workflow/object-info';
import { serverKeys } from '$lib/query/keys';
import { modelsQuery, type ModelLists } from '$lib/query/model-lists';
import { objectInfoQuery } from '$lib/query/server-queries';
import type { AppState, ServerView } from './app.svelte';
import type { DispatchSource } from './dispatch.svelte';

/**
 * The servers in Settings as the dispatcher sees them: each one's job tracker (the app's own client, so what the
 * queue sends is followed, kept and shown like any run), its health from the connection checks and its socket,
 * and what it can run from its object_info and its model lists in the query cache (each read once per server when
 * missing and the server is online).
 *
 * A server that cannot be reached gets no client (the layout does not start one), and one whose client is still
 * restoring its stored jobs cannot yet say whether it has an item: both answer "not known yet" for items in
 * flight, so those wait for the server instead of going out a second time.
 */
export function createAppDispatchServers({
	app,
	onChange
}: {
	app: Pick<
		AppState,
		'queryClient' | 'serverData' | 'apiFor' | 'connections' | 'jobs' | 'serverHealth' | 'servers'
	>;
	/** Called when something a server says changed (socket state, queue length, object_info arrived). */
	onChange: () => void;
}) {
	const wrapped = new WeakMap<ComfyClient, DispatchServer['jobs']>();
	const capabilities = new WeakMap<
		ObjectInfo,
		{ lists: ModelLists | undefined; capabilities: ServerCapabilities }
	>();
	const reading = new Set<string>();
	const listsAsked = new Set<string>();
	const hydrated = new Set<string>();
	const awayJobs = new Map<string, DispatchServer['jobs']>();

	function jobsOf(client: ComfyClient): DispatchServer['jobs'] {
		let jobs = wrapped.get(client);
		if (jobs) return jobs;
		let ready = false;
		void client.ready.then(() => {
			ready = true;
			onChange();
		});
		client.socket.subscribe((event) => {
			if (event.type === 'state' || event.type === 'status') onChange();
		});
		jobs = {
			submit: (options) => client.jobs.submit(options),
			get: (id) => (ready ? client.jobs.get(id) : notKnownYet(id, client.baseUrl)),
			subscribe: (listener) => client.jobs.subscribe(listener)
		};
		wrapped.set(client, jobs);
		return jobs;
	}

	function objectInfoOf(server: ServerView, online: boolean): ObjectInfo | undefined {
		const info = app.queryClient.getQueryData<ObjectInfo>(serverKeys.objectInfo(server.id));
		if (info || reading.has(server.id)) return info;
		// What the server said on an earlier visit (IndexedDB) first, once: its capabilities are known offline too.
		const fromStore = !hydrated.has(server.id);
		if (!fromStore && !online) return undefined;
		hydrated.add(server.id);
		reading.add(server.id);
		const read = fromStore
			? app.serverData.hydrate(server.id)
			: app.queryClient.fetchQuery(objectInfoQuery({ serverId: server.id, api: app.apiFor(server) }));
		void read
			.catch(() => undefined)
			.finally(() => {
				reading.delete(server.id);
				onChange();
			});
		return undefined;
	}

	/** The server's model lists, once read (asked for once when missing and the server is online). */
	function modelListsOf(server: ServerView, online: boolean): ModelLists | undefined {
		const lists = app.queryClient.getQueryData<ModelLists>(serverKeys.models(server.id));
		if (lists || !online || listsAsked.has(server.id)) return lists;
		listsAsked.add(server.id);
		void app.queryClient
			.fetchQuery(modelsQuery({ serverId: server.id, api: app.apiFor(server) }))
			.catch(() => undefined)
			.finally(onChange);
		return undefined;
	}

	function capabilitiesOfServer(server: ServerView, online: boolean): ServerCapabilities | undefined {
		const info = objectInfoOf(server, online);
		if (!info) return undefined;
		const lists = modelListsOf(server, online);
		const known = capabilities.get(info);
		if (known && known.lists === lists) return known.capabilities;
		// A folder whose files could not be read says nothing: object_info's combo stands for it.
		const modelLists = Object.fromEntries(
			(lists?.folders ?? []).filter((f) => f.error === undefined).map((f) => [f.folder, f.files])
		);
		const caps = capabilitiesOf({ objectInfo: info, modelLists });
		capabilities.set(info, { lists, capabilities: caps });
		return caps;
	}

	function sourceOf(server: ServerView): DispatchSource {
		const connection = app.connections.get(server.id);
		const reachable = connection.status !== 'offline';
		// The layout starts the queue once the client's code is loaded, so a reachable server has its client here.
		const client = reachable ? app.jobs.loadedClientFor(server) : undefined;
		let jobs = client ? jobsOf(client) : awayJobs.get(server.baseUrl);
		if (!jobs) awayJobs.set(server.baseUrl, (jobs = away(server.baseUrl)));
		return {
			id: server.id,
			name: server.name,
			baseUrl: client?.baseUrl ?? server.baseUrl,
			jobs,
			snapshot: () =>
				untrack(() => {
					const health = app.serverHealth(server.id);
					return { health, capabilities: capabilitiesOfServer(server, health?.socket === 'open') };
				})
		};
	}

	return {
		/** Every server in Settings now. */
		servers: (): DispatchSource[] => untrack(() => app.servers.map(sourceOf)),
		/** Any server's object_info (which inputs name model files), once one was read. */
		objectInfo: (): ObjectInfo | undefined =>
			untrack(() => {
				for (const server of app.servers) {
					const info = app.queryClient.getQueryData<ObjectInfo>(serverKeys.objectInfo(server.id));
					if (info) return info;
				}
				return undefined;
			})
	};
}

/** A record that says "not known yet": the dispatcher then waits instead of taking the item for never sent. */
function notKnownYet(id: string, serverUrl: string): JobRecord {
	return {
		id,
		serverUrl,
		workflow: {},
		status: 'pending',
		outputs: [],
		timings: { created: 0 },
		attempts: 1
	};
}

/** The tracker of a server that cannot be reached now: it knows nothing yet and takes nothing. */
function away(serverUrl: string): DispatchServer['jobs'] {
	return {
		submit: () => Promise.reject(new Error('This server cannot be reached now.')),
		get: (id) => notKnownYet(id, serverUrl),
		subscribe: () => () => {}
	};
}
