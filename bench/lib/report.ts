/**
 * The bench's table: each figure with its target, and the details that explain it.
 *
 * @module
 */
import type { StartFigures } from "../figures/coldStart.ts"
import type { GrantFigures } from "../figures/grants.ts"
import type { ListingFigures } from "../figures/listing.ts"
import type { OverheadFigures } from "../figures/overhead.ts"
import type { SetupFigures, WhereTheTimeWent } from "../figures/setup.ts"
import { int, mb, ms, times } from "./stats.ts"

/** One line of the table. */
export interface FigureRow {
  readonly id: string
  readonly figure: string
  readonly measured: string
  readonly target: string
  /** `undefined` when the figure has no target. */
  readonly met: boolean | undefined
  /** The headline number, for the JSON. */
  readonly value: number
}

interface Environment {
  readonly node: string
  readonly cpus: number
  readonly cpu: string
  readonly latencyMs: number
  readonly runs: number
  readonly warmups: number
  readonly durationS: number
}

interface Results {
  readonly setup: SetupFigures | undefined
  readonly grants: GrantFigures | undefined
  readonly listing: ListingFigures | undefined
  readonly overhead: OverheadFigures | undefined
  readonly coldStart: ReadonlyArray<StartFigures> | undefined
}

const timeWentText = (went: WhereTheTimeWent): string =>
  `${went.hops} sequential round trips (${ms(went.latencyMs)} latency) + ${ms(went.serverMs)} emulator + ${ms(went.queuedMs)} queued for the emulator + ${ms(went.clientMs)} client (the client's CPU: ${ms(went.clientCpuMs)} per run)`

const rowsOf = (results: Results): { rows: Array<FigureRow>; notes: Array<string> } => {
  const rows: Array<FigureRow> = []
  const notes: Array<string> = []
  const { setup, grants, listing, overhead, coldStart } = results
  if (setup !== undefined) {
    rows.push({
      id: "1",
      figure: "Setup vs its critical path",
      measured: `${times(setup.vsCriticalPath)}  ${ms(setup.apply.medianMs)} ÷ (${setup.criticalPath.hops} hops × ${setup.latencyMs} ms)`,
      target: "≤ 1.30×",
      met: setup.vsCriticalPath <= 1.3,
      value: setup.vsCriticalPath,
    })
    rows.push({
      id: "1",
      figure: "  requests: apply / sequential",
      measured: `${setup.apply.requests} / ${setup.sequential.requests}`,
      target: "",
      met: undefined,
      value: setup.apply.requests,
    })
    rows.push({
      id: "1",
      figure: "  where the time went",
      measured: timeWentText(setup.apply.timeWent),
      target: "",
      met: undefined,
      value: setup.apply.timeWent.hops,
    })
    rows.push({
      id: "1",
      figure: "  re-run, nothing to change",
      measured: `${times(setup.rerun.medianMs / (setup.rerun.hops * setup.latencyMs))}  ${ms(setup.rerun.medianMs)} ÷ (${setup.rerun.hops} hops × ${setup.latencyMs} ms), ${setup.rerun.requests} requests`,
      target: "",
      met: undefined,
      value: setup.rerun.medianMs,
    })
    rows.push({
      id: "2",
      figure: "Setup vs sequential baseline",
      measured: `${times(setup.speedUp, 1)} faster  ${ms(setup.sequential.medianMs)} → ${ms(setup.apply.medianMs)}`,
      target: "report",
      met: undefined,
      value: setup.speedUp,
    })
    notes.push(
      `Apply's longest sequential chain (emulator log): ${setup.apply.timeWent.chain.join(" → ")}; ` +
        `client time before, between and after those requests: ${setup.apply.timeWent.gapsMs.map((gap) => Math.round(gap)).join(" / ")} ms. ` +
        `Re-run: ${timeWentText(setup.rerun.timeWent)}.`,
    )
    notes.push(
      `Critical path (bench/figures/criticalPath.ts): ${setup.criticalPath.chain.map((hop, i) => `${i + 1}. ${hop.request}`).join("; ")}.`,
    )
  }
  if (grants !== undefined) {
    const { ours } = grants
    rows.push({
      id: "3",
      figure: `Bulk grants, N=${int(grants.users)} (${int(grants.granted)} new)`,
      measured: `${times(grants.speedUp, 0)} faster  ${ms(grants.oneByOne.wallMs)} → ${ms(ours.medianMs)}`,
      target: "≥ 100×",
      met: grants.speedUp >= 100,
      value: grants.speedUp,
    })
    rows.push({
      id: "3",
      figure: "  vs the limit",
      measured: `${times(grants.vsLimit)}  limit ${ms(grants.limitMs)}`,
      target: "≤ 2.00×",
      met: grants.vsLimit <= 2,
      value: grants.vsLimit,
    })
    rows.push({
      id: "3",
      figure: "  duplicates / missing (emulator)",
      measured: `${grants.duplicates} / ${grants.missing}`,
      target: "0 / 0",
      met: grants.duplicates === 0 && grants.missing === 0,
      value: grants.duplicates,
    })
    notes.push(
      `Bulk grants: ${ours.batches} batches of ≤ ${ours.batchSize}, ${ours.concurrency} in flight, ${ours.throttled} answered 429, ${ours.requests} requests in all; ` +
        `rate limit ${grants.rateLimitPerHour} Batch API requests/hour; emulator execution ${ms(ours.serverMs)}. ` +
        `Limit = 2 read hops + max(⌈batches/concurrency⌉ × latency, latency + execution). ` +
        `One at a time: ${int(grants.oneByOne.requests)} requests (emulator ${grants.oneByOne.serverMsPerRequest.toFixed(1)} ms each beyond latency), one run.`,
    )
  }
  if (listing !== undefined) {
    for (const page of listing.pageSizes) {
      rows.push({
        id: "4",
        figure: `Listing ${int(listing.records)} records, page ${int(page.pageSize)}${page.pageSize === listing.defaultPageSize ? " (default)" : ""}`,
        measured: `${int(page.recordsPerSecond)} rec/s, peak heap +${mb(page.peakHeapBytes)}, rss +${mb(page.peakRssBytes)}`,
        target: "report",
        met: undefined,
        value: page.recordsPerSecond,
      })
    }
    notes.push(
      `Listing: ${listing.pageSizes.map((p) => `page ${p.pageSize}: ${p.requests} requests, emulator ${p.serverMsPerPage.toFixed(1)} ms/page beyond latency`).join("; ")}.`,
    )
  }
  if (overhead !== undefined) {
    const { medianRun: run, layers } = overhead
    rows.push({
      id: "5",
      figure: "Client overhead, one GET (no latency)",
      measured: `${times(run.ratio)}  ${int(run.clientMs * 1000)} µs vs raw fetch ${int(run.rawMs * 1000)} µs`,
      target: "≤ 1.15×",
      met: run.ratio <= 1.15,
      value: run.ratio,
    })
    notes.push(
      `Client overhead by layer (this bench, in an interleaving of their own, each ÷ its raw fetch, medians over the runs; each adds to the one before): ` +
        `openapi-fetch as the client configures it ${times(layers.openapiFetch)}; ` +
        `+ an AbortSignal per request (no timeout or interruption without one) ${times(layers.withSignal)}; ` +
        `+ transportFetch (HTTPS rule, redirects, HTML detection) ${times(layers.transport)}; ` +
        `+ the Effect bridge (runtime, timeout, typed errors) ${times(layers.bridge)}; ` +
        `+ auth, retry policy, error mapping and shape check: the whole client ${times(layers.client)}. ` +
        `Runs: ${overhead.runs.map((r) => times(r.ratio)).join(", ")}. ` +
        `CPU per call in the client's process (the emulator's share left out): raw fetch ${int(run.cpuUs.raw)} µs, the client ${int(run.cpuUs.client)} µs.`,
    )
  }
  if (coldStart !== undefined) {
    for (const subject of coldStart) {
      rows.push({
        id: "6",
        figure: `Cold start: ${subject.name}`,
        measured: `${ms(subject.medianMs)}  ${times(subject.vsNode, 1)} node -e 0, ${int(subject.modules)} modules${subject.heavy.length > 0 ? `, loads ${subject.heavy.join(", ")}` : ""}`,
        target: subject.name === "sn365 --help" ? "no msal/emulator" : "report",
        met:
          subject.name === "sn365 --help"
            ? !subject.heavy.includes("@azure/msal-node") && !subject.heavy.includes("@sn365/emulator")
            : undefined,
        value: subject.vsNode,
      })
    }
  }
  return { rows, notes }
}

const pad = (text: string, width: number) => text + " ".repeat(Math.max(0, width - [...text].length))

/** The printed report and the figures for the JSON. */
export const renderReport = (environment: Environment, results: Results) => {
  const { rows, notes } = rowsOf(results)
  const headers = ["#", "Figure", "Measured", "Target", ""] as const
  const cells = rows.map((row) => [
    row.id,
    row.figure,
    row.measured,
    row.target,
    row.met === undefined ? "" : row.met ? "✓" : "✗",
  ])
  const widths = headers.map((header, i) =>
    Math.max([...header].length, ...cells.map((c) => [...(c[i] ?? "")].length)),
  )
  const line = (values: ReadonlyArray<string>) =>
    values
      .map((value, i) => pad(value, widths[i] ?? 0))
      .join("  ")
      .trimEnd()
  const text = [
    `sn365 bench — ${environment.latencyMs} ms injected per request, median of ${environment.runs} runs after ${environment.warmups} warm-ups; ` +
      `Node ${environment.node}, ${environment.cpus} CPUs (${environment.cpu}); ${environment.durationS} s`,
    "",
    line(headers),
    line(widths.map((w) => "─".repeat(w))),
    ...cells.map(line),
    "",
    ...notes.map((note) => `• ${note}`),
  ].join("\n")
  return { text, figures: rows }
}
