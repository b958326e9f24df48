"""The ``briefing`` command: parse arguments, call one library function, map errors to exit codes.

Exit codes: 0 done, 1 ``verify`` found differences, 2 invalid input (data or
parameters), 3 the notebook raised, 4 export failed, 5 the machine refused (the output
folder cannot be written, the disk is full, a file cannot be read).
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from .errors import BriefingError, EnvironmentFailure, InvalidInputError

EPILOG = """exit codes: 0 done, 1 verify found differences (or an internal error, with its
traceback), 2 invalid input (data, parameters), 3 the notebook raised, 4 export failed, 5 the
machine refused (output folder not writable, disk full, a file unreadable)"""

PATH_OPTIONS = {
    "notebook": ("--notebook", "notebooks/briefing.ipynb", "PATH", "briefing notebook"),
    "output": ("--output-dir", "reports", "DIR", "folder for dated briefings"),
    "data": ("--data-dir", "data", "DIR", "data folder with reference/, sources/, claims/"),
}


def _command(commands, name: str, summary: str, description: str, examples: list[str]):
    """Add a subcommand whose help ends with examples and the exit codes."""
    epilog = "examples:\n" + "".join(f"  {e}\n" for e in examples) + "\n" + EPILOG
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _paths(parser: argparse.ArgumentParser, *names: str) -> None:
    """Add the shared path options (``notebook``, ``output``, ``data``) to a subcommand."""
    for name in names:
        flag, default, metavar, text = PATH_OPTIONS[name]
        parser.add_argument(
            flag, default=default, metavar=metavar, help=f"{text} (default: %(default)s)"
        )


INPUT_OPTIONS = (  # flag, metavar, help, keyword of load_evidence / render_briefing
    ("--claims", "PATH", "claims table (default: DIR/claims/claims.csv)", "claims_path"),
    ("--sources", "DIR", "sources folder (default: DIR/sources)", "sources_dir"),
    (
        "--judgments",
        "PATH",
        "key judgments (default: DIR/judgments/judgments.csv, unless --claims is given)",
        "judgments_path",
    ),
    (
        "--gaps",
        "PATH",
        "intelligence gaps (default: DIR/judgments/gaps.csv, unless --claims is given)",
        "gaps_path",
    ),
    (
        "--events",
        "PATH",
        "timeline events (default: DIR/events/events.csv, unless --claims is given)",
        "events_path",
    ),
)


def _inputs(parser: argparse.ArgumentParser) -> None:
    """Options that point at inputs outside the data folder."""
    for flag, metavar, text, keyword in INPUT_OPTIONS:
        parser.add_argument(flag, metavar=metavar, help=text, dest=keyword)


def _input_overrides(args: argparse.Namespace) -> dict:
    """The input options given, as keywords for the library."""
    return {
        keyword: getattr(args, keyword) for *_, keyword in INPUT_OPTIONS if getattr(args, keyword)
    }


def _signer(parser: argparse.ArgumentParser) -> None:
    """``--signer``: the PKCS#12 identity that signs the PDFs (the passphrase never here)."""
    parser.add_argument(
        "--signer",
        metavar="PATH",
        help="sign each PDF with this PKCS#12 identity (default: $BRIEFING_SIGNER; unsigned "
        "without either); passphrase from $BRIEFING_SIGNER_PASSPHRASE or the file named by "
        "$BRIEFING_SIGNER_PASSPHRASE_FILE",
    )


def _render_parser(commands) -> None:
    """``briefing render``."""
    render = _command(
        commands,
        "render",
        "render the briefing as of a date into reports/<date>/",
        "Execute the briefing notebook with papermill and export HTML and PDF.",
        [
            "briefing render",
            "briefing render --as-of 2024-10-23",
            "briefing render --as-of 2024-12-27 --since 2024-11-15",
        ],
    )
    render.add_argument(
        "--as-of", metavar="DATE", help="information date YYYY-MM-DD (default: newest source date)"
    )
    render.add_argument(
        "--since",
        metavar="DATE",
        help="compare with this date in 'What changed' (default: the previous source date)",
    )
    _paths(render, "notebook", "output", "data")
    _inputs(render)
    render.add_argument("--title", help="briefing title (default: the notebook's)")
    render.add_argument(
        "--marking", help="handling marking on every page (default: the notebook's)"
    )
    _signer(render)


def _validate_parser(commands) -> None:
    """``briefing validate``."""
    validate = _command(
        commands,
        "validate",
        "check codebooks, sources, claims, judgments; list every problem",
        "Validate the data; print each problem as path:line:column: message.",
        ["briefing validate", "briefing validate --claims my-claims.csv"],
    )
    _paths(validate, "data")
    _inputs(validate)


def _series_parser(commands) -> None:
    """``briefing series``."""
    series = _command(
        commands,
        "series",
        "render one briefing per source date in parallel, and reports/index.html",
        "Render every dated briefing that is missing or out of date, in parallel (a local "
        "process pool, or a Dask cluster with --scheduler), then write an index page linking "
        "them all. A date that fails is reported with its error while the others publish; "
        "the command then exits with that error's code, listing the failed dates. Several "
        "--data-dir: one subject each, in OUTPUT/<data folder name>/, with a top index.",
        [
            "briefing series",
            "briefing series --jobs 2",
            "briefing series --scheduler local:2",
            "briefing series --scheduler tcp://scheduler.example.org:8786",
            "briefing series --data-dir subjects/east --data-dir subjects/west",
        ],
    )
    _paths(series, "notebook", "output")
    series.add_argument(
        "--data-dir",
        action="append",
        metavar="DIR",
        help="a data folder (repeatable: one subject each; default: data)",
    )
    series.add_argument(
        "--jobs", type=int, metavar="N", help="parallel renders (default: the number of CPU cores)"
    )
    series.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="render on Dask: local[:N] starts N worker processes on 127.0.0.1 for this run; "
        "tcp://host:8786 uses a running cluster whose workers see this repository and the "
        "output folder at the same paths (default: a local process pool)",
    )
    _signer(series)


def _verify_parser(commands) -> None:
    """``briefing verify``."""
    verify = _command(
        commands,
        "verify",
        "re-render a briefing and check it against its manifest, byte for byte",
        "Four checks, each reported: the published files beside the manifest against "
        "the hashes it records (a changed or deleted HTML or PDF is named), the current "
        "inputs against the recorded ones, a render into a temporary folder against "
        "both, and the PDF's signature (signed or not; valid; covering the whole file; the "
        "signer's fingerprint and whether DIR/trust/*.pem or --trust lists it). Exit 0 "
        "when all pass, 1 with one line per difference, prefixed with the check that "
        "found it.",
        [
            "briefing verify reports/2024-12-27/manifest.json",
            "briefing verify reports/2024-12-27/briefing-2024-12-27.pdf",
        ],
    )
    verify.add_argument("path", metavar="PATH", help="a briefing's manifest.json or PDF")
    verify.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="PEM",
        help="also trust the signers in this PEM file (repeatable; DIR/trust/*.pem always)",
    )
    _paths(verify, "notebook", "data")


def _signer_parser(commands) -> None:
    """``briefing signer``."""
    signer = _command(
        commands,
        "signer",
        "create a self-signed signing identity for local use and tests",
        "Write signer.p12 (an RSA key and a self-signed certificate), passphrase (mode 600) "
        "and signer.pem (the certificate, for a trust list) into DIR, and print the "
        "environment that makes render and series sign with it. A desk that publishes "
        "signs with an identity its readers can check, not this one.",
        ["briefing signer .signer", "briefing signer .signer --name 'Eastern desk'"],
    )
    signer.add_argument("folder", metavar="DIR", help="where to write it (must not hold one)")
    signer.add_argument(
        "--name",
        default="Local briefing desk",
        help="the certificate's name (default: %(default)s)",
    )


def _dates_parser(commands) -> None:
    """``briefing dates``."""
    dates = _command(
        commands,
        "dates",
        "list the sources' publication dates (the dates a briefing can be rendered for)",
        "Print every publication date in the sources' front matter, oldest first, one per "
        "line; with --newest only the newest (render's default --as-of).",
        ["briefing dates", "briefing dates --newest"],
    )
    _paths(dates, "data")
    dates.add_argument("--sources", metavar="DIR", help="sources folder (default: DIR/sources)")
    dates.add_argument("--newest", action="store_true", help="print only the newest date")


def _preview_parser(commands) -> None:
    """``briefing preview``."""
    preview = _command(
        commands,
        "preview",
        "serve the briefing on http://127.0.0.1:N/, re-rendered on every save",
        "Render the briefing once, serve it on a local address and render it again "
        "whenever a file under the data folder, notebooks/ or src/briefing/ changes; the "
        "page reloads as soon as the new HTML is ready, the PDF follows. Output goes to a "
        "temporary folder of its own, never to reports/. Ctrl-C stops it.",
        ["briefing preview", "briefing preview --as-of 2024-10-24 --port 8765 --no-pdf"],
    )
    preview.add_argument(
        "--as-of", metavar="DATE", help="information date YYYY-MM-DD (default: newest source date)"
    )
    preview.add_argument(
        "--port", type=int, default=8765, metavar="N", help="port (default: %(default)s; 0: any)"
    )
    preview.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="H",
        help="address to listen on (default: %(default)s, this machine only)",
    )
    preview.add_argument("--no-pdf", action="store_true", help="do not lay out the PDF")
    _paths(preview, "notebook", "data")


def _propose_parser(commands) -> None:
    """``briefing propose``."""
    propose = _command(
        commands,
        "propose",
        "draft candidate claims from a source, for the analyst to review",
        "Read a source and write candidate claims as CSV with the claims table's header plus "
        "evidence and confidence: verbatim quotes, claimants resolved through actors.csv, "
        "claim dates, figures with their bounds, stances and topics guessed, statements "
        "drafted, grades left blank. With --uncovered, only passages that no existing claim "
        "quotes. Review the file, then run briefing accept on it.",
        [
            "briefing propose data/sources/2024-12-27_whitehouse_kirby-gaggle.md",
            "briefing propose data/sources/2024-12-27_whitehouse_kirby-gaggle.md --uncovered",
        ],
    )
    propose.add_argument("source", metavar="SOURCE.md", help="a source file")
    propose.add_argument(
        "--out", metavar="PATH", help="output (default: DIR/claims/proposed/<source_id>.csv)"
    )
    propose.add_argument(
        "--uncovered", action="store_true", help="only what no existing claim's quote covers"
    )
    _paths(propose, "data")


def _accept_parser(commands) -> None:
    """``briefing accept``."""
    accept = _command(
        commands,
        "accept",
        "validate reviewed candidate claims and append them to claims.csv",
        "Check every row of a reviewed proposal file by the claims table's rules (each "
        "problem as path:line:column: message, nothing appended), then append the rows to "
        "DIR/claims/claims.csv with the next free ids.",
        ["briefing accept data/claims/proposed/2024-12-27_whitehouse_kirby-gaggle.csv"],
    )
    accept.add_argument("proposal", metavar="PATH", help="a reviewed proposal file")
    _paths(accept, "data")


def _bundle_parser(commands) -> None:
    """``briefing bundle``."""
    bundle = _command(
        commands,
        "bundle",
        "pack the dated briefings of a range into one reproducible zip",
        "Write the briefings dated --from to --to (HTML, PDF, manifest, each checked against "
        "its manifest first), index.html, SHA256SUMS and a README.txt for the recipients "
        "into one zip. The same briefings always give the same bytes.",
        ["briefing bundle briefings.zip", "briefing bundle --from 2024-11-01 december.zip"],
    )
    bundle.add_argument("out", metavar="OUT.zip", help="the zip to write")
    bundle.add_argument("--from", dest="start", metavar="DATE", help="first date (default: all)")
    bundle.add_argument("--to", dest="end", metavar="DATE", help="last date (default: all)")
    _paths(bundle, "output")


def _message_parser(commands) -> None:
    """``briefing message``."""
    message = _command(
        commands,
        "message",
        "a briefing as a ready-to-send e-mail: .eml, or through the desk's SMTP relay",
        "Build a MIME message for a published briefing: the bottom line and what changed as "
        "plain text and HTML, the PDF attached, the marking, title and date in the subject. "
        "--eml writes it for a mail client; --smtp hands it to a relay (STARTTLS when offered; "
        "BRIEFING_SMTP_USER and BRIEFING_SMTP_PASSWORD when it asks). The sender comes from "
        "--sender or BRIEFING_MAIL_FROM.",
        [
            "briefing message --to desk@example.org --eml briefing.eml",
            "briefing message --to a@example.org --to b@example.org --smtp relay.example.org:587",
        ],
    )
    message.add_argument(
        "--to", action="append", required=True, metavar="ADDR", help="a recipient (repeatable)"
    )
    message.add_argument(
        "--as-of", metavar="DATE", help="the briefing's date (default: the newest published)"
    )
    message.add_argument("--eml", metavar="OUT.eml", help="write the message to this file")
    message.add_argument("--smtp", metavar="HOST:PORT", help="send it through this relay")
    message.add_argument("--sender", metavar="ADDR", help="the From address")
    _paths(message, "output")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``briefing`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="Render and check dated intelligence briefings.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress lines on stderr (results and errors still print)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (
        _render_parser,
        _validate_parser,
        _series_parser,
        _verify_parser,
        _dates_parser,
        _preview_parser,
        _propose_parser,
        _accept_parser,
        _bundle_parser,
        _message_parser,
        _signer_parser,
    ):
        add(commands)
    return parser


def _progress(step: str, seconds: float) -> None:
    """One progress line per step, on stderr so that stdout holds only results."""
    print(f"  {step:<9} {seconds:5.1f} s", file=sys.stderr, flush=True)


def run_render(args: argparse.Namespace) -> int:
    """``briefing render``."""
    from .render import render_briefing
    from .signing import load_identity

    briefing = render_briefing(
        as_of=args.as_of,
        notebook=args.notebook,
        output_dir=args.output_dir,
        data_dir=args.data_dir,
        title=args.title,
        marking=args.marking,
        since=args.since,
        progress=None if args.quiet else _progress,
        signer=load_identity(args.signer),
        **_input_overrides(args),
    )
    for path in (briefing.html, briefing.pdf, briefing.notebook, briefing.facts):
        if path.exists():  # the facts file: when the notebook displays facts
            print(path)
    return 0


def run_preview(args: argparse.Namespace) -> int:
    """``briefing preview``."""
    from .preview import run_preview as serve
    from .render import check_date

    if args.as_of:
        check_date("as_of", args.as_of)
    try:
        return serve(
            args.as_of,
            args.host,
            args.port,
            not args.no_pdf,
            Path(args.notebook),
            Path(args.data_dir),
            say=lambda line: print(line, flush=True),
        )
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise EnvironmentFailure(f"serve the preview on {args.host}:{args.port}", exc) from exc


def run_validate(args: argparse.Namespace) -> int:
    """``briefing validate``."""
    from .evidence import load_evidence

    evidence = load_evidence(args.data_dir, **_input_overrides(args))
    print(
        f"valid: {len(evidence.claims)} claims from {len(evidence.sources)} sources, "
        "every quote found in its source; "
        f"{len(evidence.judgments)} judgments, {len(evidence.gaps)} gaps, "
        f"{len(evidence.events)} events"
    )
    return 0


def run_series(args: argparse.Namespace) -> int:
    """``briefing series``."""
    from .series import render_series
    from .signing import load_identity

    bar = SeriesProgress(quiet=args.quiet)
    try:
        result = render_series(
            output_dir=args.output_dir,
            data_dir=args.data_dir or ["data"],
            notebook=args.notebook,
            jobs=args.jobs,
            signer=load_identity(args.signer),
            scheduler=args.scheduler,
            on_start=bar.start,
            on_done=bar.done,
        )
    finally:
        bar.close()
    print(f"rendered {len(result.rendered)}, already up to date {len(result.skipped)}")
    print(result.index)
    return 0


class SeriesProgress:
    """The series' progress bar on stderr (tqdm): dates done, failed and left."""

    def __init__(self, quiet: bool):
        self.quiet, self.bar, self.failed = quiet, None, 0

    def start(self, total: int) -> None:
        """Show the bar for ``total`` dates (none when quiet or nothing to render)."""
        if self.quiet or not total:
            return
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="date", file=sys.stderr, dynamic_ncols=True,
                        desc="series", postfix={"failed": 0})  # fmt: skip

    def done(self, outcome) -> None:
        """One date finished."""
        if self.bar is None:
            return
        self.failed += outcome.failed
        self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        """Take the bar down."""
        if self.bar is not None:
            self.bar.close()


def run_verify(args: argparse.Namespace) -> int:
    """``briefing verify``: one line per check; exit 0 when all pass, 1 naming the failed."""
    from .verify import verify_briefing

    verification = verify_briefing(
        args.path, notebook=args.notebook, data_dir=args.data_dir, trust=args.trust
    )
    for check in verification.checks:
        for line in check.lines():
            print(line)
    if verification.failed:
        print(f"not verified: {args.path} failed: {', '.join(verification.failed)}")
        return 1
    print(f"verified: {args.path} is reproduced byte for byte from the current inputs")
    return 0


def run_dates(args: argparse.Namespace) -> int:
    """``briefing dates``: the sources' publication dates, read without pandas."""
    from pathlib import Path

    from .sources import published_dates

    dates = published_dates(args.sources or Path(args.data_dir) / "sources")
    for day in dates[-1:] if args.newest else dates:
        print(day)
    return 0


def run_propose(args: argparse.Namespace) -> int:
    """``briefing propose``: write the candidates, say where and how many."""
    from .propose import propose_claims, write_candidates

    source = Path(args.source)
    rows = propose_claims(source, data_dir=args.data_dir, uncovered=args.uncovered)
    out = Path(args.out) if args.out else Path(args.data_dir) / "claims" / "proposed"
    if not args.out:
        out = out / f"{source.stem}.csv"
    write_candidates(rows, out)
    print(f"proposed {len(rows)} candidate claim(s) from {source.name}: review them, then")
    print(f"  briefing accept {out}")
    return 0


def run_accept(args: argparse.Namespace) -> int:
    """``briefing accept``: append the reviewed rows, or list every problem (exit 2)."""
    from .propose.accept import accept_claims

    accepted = accept_claims(args.proposal, data_dir=args.data_dir)
    ids = accepted.claim_ids
    span = ids[0] if len(ids) == 1 else f"{ids[0]}\u2013{ids[-1]}"
    print(f"accepted {len(ids)} claim(s) as {span}, appended to {accepted.claims_path}")
    return 0


def run_bundle(args: argparse.Namespace) -> int:
    """``briefing bundle``: the zip's path and the dates in it."""
    from .bundle import bundle_briefings

    bundle = bundle_briefings(args.out, args.output_dir, args.start, args.end)
    print(f"bundled {len(bundle.dates)} briefing(s), {bundle.dates[0]} to {bundle.dates[-1]}:")
    print(bundle.path)
    return 0


def run_message(args: argparse.Namespace) -> int:
    """``briefing message``: write the .eml, send it, or both; say what was done."""
    from .bundle import briefing_dates
    from .message import briefing_message, send

    day = args.as_of or briefing_dates(Path(args.output_dir), None, None)[-1]
    message = briefing_message(Path(args.output_dir) / day, args.to, args.sender)
    if args.eml:
        Path(args.eml).write_bytes(bytes(message))
        print(Path(args.eml))
    if args.smtp:
        send(message, args.smtp)
        print(f"sent to {', '.join(args.to)} through {args.smtp}")
    if not args.eml and not args.smtp:
        sys.stdout.write(message.as_string())
    return 0


def run_signer(args: argparse.Namespace) -> int:
    """``briefing signer``: write a self-signed identity; print how to use it."""
    from .signing import PASSPHRASE_FILE_VARIABLE, SIGNER_VARIABLE, create_identity

    paths = create_identity(args.folder, args.name)
    print(f"export {SIGNER_VARIABLE}={paths['identity']}")
    print(f"export {PASSPHRASE_FILE_VARIABLE}={paths['passphrase']}")
    print(f"# certificate for a trust list: {paths['certificate']}")
    return 0


COMMANDS = {
    "render": run_render,
    "validate": run_validate,
    "series": run_series,
    "verify": run_verify,
    "dates": run_dates,
    "preview": run_preview,
    "propose": run_propose,
    "accept": run_accept,
    "bundle": run_bundle,
    "message": run_message,
    "signer": run_signer,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``briefing`` command; returns the exit code."""
    from .cache import use_system_allocator

    use_system_allocator()  # for this process and those it starts (kernels, workers)
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InvalidInputError as exc:
        print(exc, file=sys.stderr)
        print(f"briefing: {len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        return exc.exit_code
    except BriefingError as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # what no step named: still one line, and the machine's code
        failure = EnvironmentFailure(f"run briefing {args.command}", exc)
        print(f"briefing: {failure}", file=sys.stderr)
        return failure.exit_code
    finally:
        if argv is None:  # run as the command, about to exit: spare the process a last
            gc.freeze()  # garbage collection over every object a render left (0.5 s)


if __name__ == "__main__":
    sys.exit(main())
