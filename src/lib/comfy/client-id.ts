/**
 * The WebSocket `clientId` of this tab. ComfyUI sends a prompt's events only to the newest socket of an id (and
 * to none once an older one closes), so two tabs must never share one. The id is kept per tab in sessionStorage
 * so a reload keeps it (and keeps receiving its running prompt's events); a duplicated tab copies sessionStorage,
 * so a BroadcastChannel asks whether another live tab already holds the id, and if so this tab takes a new one.
 */

/** The part of `Storage` the core needs. */
export interface StorageLike {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
}

/** The part of `BroadcastChannel` the core needs. */
export interface ChannelLike {
	postMessage(message: unknown): void;
	addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
	close(): void;
}

/** A lowercase UUID v4 (ComfyUI accepts it as client id and prompt id). */
export function uuidv4(): string {
	const cryptoObj = (globalThis as { crypto?: Crypto }).crypto;
	if (cryptoObj?.randomUUID) return cryptoObj.randomUUID().toLowerCase();
	const bytes = new Uint8Array(16);
	if (cryptoObj?.getRandomValues) cryptoObj.getRandomValues(bytes);
	else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
	bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
	bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
	const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** sessionStorage when there is one, else a map that lives as long as the process. */
export function defaultClientIdStorage(): StorageLike {
	try {
		const storage = (globalThis as { sessionStorage?: StorageLike }).sessionStorage;
		if (storage) {
			storage.getItem('comfy-deck:probe');
			return storage;
		}
	} catch {
		// sessionStorage can throw (disabled storage, sandboxed iframes): fall back to memory.
	}
	const map = new Map<string, string>();
	return { getItem: (key) => map.get(key) ?? null, setItem: (key, value) => void map.set(key, value) };
}

type ClaimMessage =
	{ kind: 'who-has'; clientId: string; asker: string } | { kind: 'mine'; clientId: string; asker: string };

/** The client id of one server in this tab, protected against duplicated tabs. */
export interface ClientIdClaim {
	/** The current id. */
	readonly clientId: string;
	/** Resolves once other tabs had a chance to object (at most `waitMs`); the id may have changed. */
	ready: Promise<string>;
	/** Takes a fresh id (e.g. after the server went deaf on the old one). */
	renew(): string;
	close(): void;
}

export function claimClientId(options: {
	key: string;
	storage?: StorageLike;
	/** Creates the cross-tab channel; `null` turns the duplicate check off. Default: BroadcastChannel when present. */
	channel?: (() => ChannelLike) | null;
	waitMs?: number;
	onChange?: (clientId: string) => void;
}): ClientIdClaim {
	const storage = options.storage ?? defaultClientIdStorage();
	const me = uuidv4();
	const read = () => {
		try {
			return storage.getItem(options.key);
		} catch {
			return null;
		}
	};
	const write = (id: string) => {
		try {
			storage.setItem(options.key, id);
		} catch {
			// Storage full or disabled: the id still works for this page's lifetime.
		}
	};
	let clientId = read() ?? uuidv4();
	write(clientId);

	const renew = () => {
		clientId = uuidv4();
		write(clientId);
		options.onChange?.(clientId);
		return clientId;
	};

	const makeChannel =
		options.channel === undefined
			? // Only browser tabs can be duplicated; elsewhere an open channel would just keep Node running.
				typeof (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel === 'function' &&
				typeof (globalThis as { document?: unknown }).document !== 'undefined'
				? () => new BroadcastChannel('comfy-deck-client-ids') as unknown as ChannelLike
				: null
			: options.channel;
	if (!makeChannel)
		return {
			get clientId() {
				return clientId;
			},
			ready: Promise.resolve(clientId),
			renew,
			close() {}
		};

	const channel = makeChannel();
	let settled = false;
	let resolveReady: (id: string) => void = () => {};
	const ready = new Promise<string>((resolve) => (resolveReady = resolve));
	channel.addEventListener('message', (event) => {
		const message = event.data as ClaimMessage | undefined;
		if (!message || message.clientId !== clientId) return;
		if (message.kind === 'who-has' && message.asker !== me) {
			channel.postMessage({ kind: 'mine', clientId, asker: message.asker } satisfies ClaimMessage);
		} else if (message.kind === 'mine' && message.asker === me && !settled) {
			// Another live tab (the one this tab was duplicated from) holds the id: take a new one.
			renew();
		}
	});
	channel.postMessage({ kind: 'who-has', clientId, asker: me } satisfies ClaimMessage);
	setTimeout(() => {
		settled = true;
		resolveReady(clientId);
	}, options.waitMs ?? 80);
	return {
		get clientId() {
			return clientId;
		},
		ready,
		renew,
		close: () => channel.close()
	};
}
