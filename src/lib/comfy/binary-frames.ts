/**
 * ComfyUI's binary WebSocket frames: a big-endian uint32 event type, then the payload.
 * 1 = preview image (uint32 format: 1 JPEG, 2 PNG; then the image), 3 = progress text (uint32 node-id length,
 * node id, UTF-8 text), 4 = preview with metadata (uint32 JSON length, JSON, image). Others are ignored.
 */
import { safeParseWith, zPreviewMetadata } from './schemas';

/** A preview image of a running node. `promptId`/`nodeId` are known only with preview metadata (event 4). */
export interface PreviewFrame {
	kind: 'preview';
	blob: Blob;
	mimeType: string;
	promptId?: string;
	nodeId?: string;
	displayNodeId?: string;
	parentNodeId?: string;
	realNodeId?: string;
}

/** Progress text a node sent (event 3). Broadcast to every socket; carries no prompt id. */
export interface ProgressTextFrame {
	kind: 'text';
	nodeId: string;
	text: string;
}

export type BinaryFrame = PreviewFrame | ProgressTextFrame;

/** Thrown for a frame too short or inconsistent to read. */
export class MalformedFrameError extends Error {
	override name = 'MalformedFrameError';
}

const IMAGE_FORMATS: Record<number, string> = { 1: 'image/jpeg', 2: 'image/png' };

/**
 * Decodes one binary frame. Returns undefined for event types the core does not know (they must be ignored);
 * throws `MalformedFrameError` for a known type whose payload cannot be read.
 */
export function decodeBinaryFrame(data: ArrayBuffer | ArrayBufferView): BinaryFrame | undefined {
	const bytes =
		data instanceof ArrayBuffer
			? new Uint8Array(data)
			: new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (bytes.byteLength < 4)
		throw new MalformedFrameError(`binary frame of ${bytes.byteLength} bytes has no event type`);
	const eventType = view.getUint32(0, false);

	switch (eventType) {
		case 1: {
			if (bytes.byteLength < 8) throw new MalformedFrameError('preview frame without an image format');
			const format = view.getUint32(4, false);
			const mimeType =
				IMAGE_FORMATS[format] ?? sniffImageType(bytes.subarray(8)) ?? 'application/octet-stream';
			return { kind: 'preview', blob: new Blob([bytes.slice(8)], { type: mimeType }), mimeType };
		}
		case 3: {
			if (bytes.byteLength < 8) throw new MalformedFrameError('text frame without a node id length');
			const length = view.getUint32(4, false);
			if (8 + length > bytes.byteLength)
				throw new MalformedFrameError('text frame node id runs past its end');
			const decoder = new TextDecoder();
			return {
				kind: 'text',
				nodeId: decoder.decode(bytes.subarray(8, 8 + length)),
				text: decoder.decode(bytes.subarray(8 + length))
			};
		}
		case 4: {
			if (bytes.byteLength < 8) throw new MalformedFrameError('preview frame without a metadata length');
			const length = view.getUint32(4, false);
			if (8 + length > bytes.byteLength)
				throw new MalformedFrameError('preview metadata runs past the frame end');
			let json: unknown;
			try {
				json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
			} catch {
				throw new MalformedFrameError('preview metadata is not JSON');
			}
			const parsed = safeParseWith(zPreviewMetadata, json);
			if (!parsed.ok) throw new MalformedFrameError(`preview metadata: ${parsed.detail}`);
			const meta = parsed.value;
			const image = bytes.slice(8 + length);
			const mimeType = meta.image_type ?? sniffImageType(image) ?? 'image/jpeg';
			return {
				kind: 'preview',
				blob: new Blob([image], { type: mimeType }),
				mimeType,
				...defined({
					promptId: meta.prompt_id,
					nodeId: meta.node_id,
					displayNodeId: meta.display_node_id,
					parentNodeId: meta.parent_node_id,
					realNodeId: meta.real_node_id
				})
			};
		}
		default:
			return undefined;
	}
}

function sniffImageType(bytes: Uint8Array): string | undefined {
	if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
	if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
	if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[8] === 0x57) return 'image/webp';
	return undefined;
}

function defined<T extends Record<string, string | null | undefined>>(
	record: T
): { [K in keyof T]?: string } {
	const out: { [K in keyof T]?: string } = {};
	for (const [key, value] of Object.entries(record)) {
		if (typeof value === 'string') out[key as keyof T] = value;
	}
	return out;
}
