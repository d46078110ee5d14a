// Placeholder: filled in by a later slice.
import type { NodeImpl } from './types';

export const modelNodes: Record<string, NodeImpl> = {};
