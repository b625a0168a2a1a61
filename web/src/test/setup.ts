import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

window.scrollTo = () => {};

// jsdom lacks matchMedia, which uPlot queries when its module loads.
if (!window.matchMedia) {
  window.matchMedia = ((query: string) => ({
    matches: false, media: query, onchange: null,
    addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {},
    dispatchEvent: () => false,
  })) as unknown as typeof window.matchMedia;
}

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});
