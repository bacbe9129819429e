//! End-to-end tests of menshen's review console, driven in headless Chromium through
//! WebDriver (`chromedriver`). The tests live in `tests/`; install the browser with
//! `bash scripts/install-browser.sh`. Screenshots land in `target/browser-artifacts/`.
