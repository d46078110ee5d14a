// Placeholder: filled in by a later slice.
import type { NodeImpl } from './types';

export const imageNodes: Record<string, NodeImpl> = {};
