// Import limits on their own, so the app can check a file's size without loading the importer.

/** Files above this are refused before anything is parsed. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/** More nodes than any real workflow; protects the converter and the form. */
export const MAX_IMPORT_NODES = 5000;
