/** The HTML building blocks of the offline reports live with the pipeline that writes them (src/pipeline/html.ts). */
export * from '../pipeline/html.ts';
