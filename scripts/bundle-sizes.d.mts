/** Types of `bundle-sizes.mjs`, for the test that compares the README with a fresh build. */
export declare const START_MARKER: string;
export declare const END_MARKER: string;
/** The README table (Markdown) for the web UI built into `dir`. */
export declare function bundleSizeTable(dir: string): string;
/** `readme` with the text between the markers replaced by `table`; throws when the markers are missing. */
export declare function withBundleSizeTable(readme: string, table: string): string;
/** The table currently written in `readme` between the markers, or undefined. */
export declare function readmeBundleSizeTable(readme: string): string | undefined;
