/**
 * The system Chromium (Debian's `chromium` package) driven by playwright-core, for the HTML report
 * tests: nothing is downloaded at run time. `browserPath()` is undefined when Chromium is not
 * installed; the tests then say loudly that they did not run.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { BrowserContext } from 'playwright-core'
import { chromium } from 'playwright-core'

const candidates: ReadonlyArray<string> = [process.env.NETPOLX_CHROMIUM ?? '', '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p) => p !== '')

export const browserPath = (): string | undefined => candidates.find((p) => fs.existsSync(p))

export const launch = async (executablePath: string): Promise<{ readonly context: BrowserContext; readonly close: () => Promise<void> }> => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'netpolx-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    // a fresh profile per run (--user-data-dir), removed afterwards
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  return {
    context,
    close: async () => {
      await context.close()
      fs.rmSync(profile, { recursive: true, force: true })
    }
  }
}
