// Runtime door for `@app/caching`: the root `tsc` build writes the library to dist/.
export * from '../../dist/libs/caching/src/index.js';
