/** The typed event stream of a ComfyUI WebSocket session, for state classes to subscribe to. */
import type { PreviewFrame, ProgressTextFrame } from './binary-frames';
import type { WsMessage } from './schemas';

/** Connection state of the session. */
export type SocketState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

/** The session changed state. */
export interface StateEvent {
	type: 'state';
	state: SocketState;
	/** Why, when it went down. */
	reason?: string;
}

/**
 * The socket is open and the server greeted it (`status`): events flow. `reconnect` is true after a drop, when
 * whatever was sent meanwhile is lost and unfinished jobs must be reconciled over REST.
 */
export interface ConnectedEvent {
	type: 'connected';
	clientId: string;
	reconnect: boolean;
}

/** A preview image (binary event 1 or 4). */
export type PreviewEvent = { type: 'preview' } & Omit<PreviewFrame, 'kind'>;

/** Progress text (binary event 3). */
export type ProgressTextEvent = { type: 'progress_text' } & Omit<ProgressTextFrame, 'kind'>;

/** A text frame of a type the core does not know (custom nodes send their own); safe to ignore. */
export interface CustomEvent {
	type: 'custom';
	messageType: string;
	data: unknown;
}

/** Everything a session emits. Server messages keep ComfyUI's own `{type, data}` shape. */
export type ComfyEvent =
	WsMessage | StateEvent | ConnectedEvent | PreviewEvent | ProgressTextEvent | CustomEvent;

export type ComfyEventListener = (event: ComfyEvent) => void;
