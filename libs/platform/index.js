// Runtime door for `@app/platform`: the root `tsc` build writes the library to dist/.
export * from '../../dist/libs/platform/src/index.js';
