/**
 * What a WebSocket session touches outside itself: the WebSocket API it needs, the network and tab signals it
 * reacts to (browser globals by default, injectable in tests), and the URL it opens.
 */
import { normalizeBaseUrl } from './http';

/** The part of the WebSocket API the session uses (browsers' WebSocket and the `ws` package both fit). */
export interface WebSocketLike {
	readonly readyState: number;
	binaryType: string;
	send(data: string): void;
	close(code?: number, reason?: string): void;
	addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: never) => void): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Where the session learns about the network and the tab (browser globals by default; injectable in tests). */
export interface SessionEnvironment {
	isOnline(): boolean;
	/** Calls back when the browser goes online; returns the unsubscribe function. */
	onOnline(callback: () => void): () => void;
	/** Calls back when the tab becomes visible; returns the unsubscribe function. */
	onVisible(callback: () => void): () => void;
}

export function browserEnvironment(): SessionEnvironment {
	const g = globalThis as {
		navigator?: { onLine?: boolean };
		addEventListener?: (type: string, cb: () => void) => void;
		removeEventListener?: (type: string, cb: () => void) => void;
		document?: {
			visibilityState?: string;
			addEventListener(type: string, cb: () => void): void;
			removeEventListener(type: string, cb: () => void): void;
		};
	};
	return {
		isOnline: () => g.navigator?.onLine !== false,
		onOnline(callback) {
			g.addEventListener?.('online', callback);
			return () => g.removeEventListener?.('online', callback);
		},
		onVisible(callback) {
			const doc = g.document;
			if (!doc) return () => {};
			const listener = () => {
				if (doc.visibilityState === 'visible') callback();
			};
			doc.addEventListener('visibilitychange', listener);
			return () => doc.removeEventListener('visibilitychange', listener);
		}
	};
}

/** `ws(s)://<base>/ws?clientId=…[&token=…]`. */
export function socketUrl(options: { baseUrl: string; clientId: string; token?: string }): string {
	const url = new URL('ws', normalizeBaseUrl(options.baseUrl));
	url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
	url.searchParams.set('clientId', options.clientId);
	if (options.token) url.searchParams.set('token', options.token);
	return url.href;
}
