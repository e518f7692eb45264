export { importDataset, ImportError, IMPORT_ORDER, QUARANTINE_DIR, type ImportOptions, type ImportSummary, type EntityImportSummary } from './import.ts';
export { DatasetReader, DatasetError, attachDataset } from './dossier-reader.ts';
export { datasetFiles, entityFilePath, readManifest, MANIFEST_FILE, type DatasetFile, type DatasetManifest } from './layout.ts';
