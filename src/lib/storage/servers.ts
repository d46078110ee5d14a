import type { DeckDb, ServerRecord } from './db';

/** The longest server name kept: Settings refuses longer ones, so every saved server fits in a backup. */
export const SERVER_NAME_MAX = 200;

/** Every configured server, in the user's order. */
export async function listServers(db: DeckDb): Promise<ServerRecord[]> {
	return db.getAllFromIndex('servers', 'byOrder');
}

/** Adds or replaces a server. */
export async function saveServer(db: DeckDb, server: ServerRecord): Promise<void> {
	await db.put('servers', server);
}

/** Removes a server; its job records stay in history. */
export async function deleteServer(db: DeckDb, id: string): Promise<void> {
	await db.delete('servers', id);
}
