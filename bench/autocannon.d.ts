// The part of autocannon's API the service bench uses (the package ships no types).
declare module 'autocannon' {
  interface Histogram { average: number; mean: number; p50: number; p90: number; p99: number; max: number; total?: number }
  interface RequestSpec { method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (request: RequestSpec) => RequestSpec }
  interface Options { url: string; connections?: number; duration?: number; amount?: number; pipelining?: number; method?: string; headers?: Record<string, string>; body?: string; requests?: RequestSpec[]; timeout?: number }
  interface Result { latency: Histogram; requests: Histogram & { total: number }; errors: number; timeouts: number; non2xx: number; duration: number; '2xx': number }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
