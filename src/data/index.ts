export { importDataset, ImportError, IMPORT_ORDER, QUARANTINE_DIR, type ImportOptions, type ImportSummary, type EntityImportSummary } from './import.ts';
export { DatasetReader, attachDataset } from './dossier-reader.ts';
export {
  datasetEntities, datasetFiles, DatasetError, entityFilePath, entityFilesIn, readManifest, requireEntities, MANIFEST_FILE, REQUIRED_ENTITIES,
  type DatasetContents, type DatasetFile, type DatasetManifest,
} from './layout.ts';
