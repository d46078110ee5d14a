// The transcript format lives in tests/transcript-format.ts (shared with the core's replays); this keeps the
// conformance run's names.
export type {
	RecordedBinary,
	RecordedClose,
	RecordedFrame,
	RecordedHttp,
	RecordedOpen,
	RecordedSend,
	RequestBody,
	TimelineEntry,
	Transcript
} from '../../transcript-format';
export { readAllTranscripts as loadTranscripts } from '../../transcript-format';
