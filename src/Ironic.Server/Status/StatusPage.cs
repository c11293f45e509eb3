using System.Globalization;
using System.Net;
using System.Text;
using Ironic.Core.Status;

namespace Ironic.Server.Status;

/// <summary>
/// Renders <see cref="BootServerStatus"/> as one self-contained HTML page: inline CSS, no
/// script, no external asset (the boot network may have no way out), every value from the
/// inventory HTML-encoded (node names and errors are operator or BMC text). It reloads itself
/// with a meta refresh, which keeps the query string (the state filter). Built for a boot
/// storm: the counts per state come first, then the conductors, then the node table with
/// problems at the top.
/// </summary>
public static class StatusPage
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>How often the page reloads itself.</summary>
    public static readonly TimeSpan DefaultRefresh = TimeSpan.FromSeconds(10);

    public static string Render(BootServerStatus status, TimeSpan? refresh = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        var seconds = Math.Max(1, (int)(refresh ?? DefaultRefresh).TotalSeconds);
        var html = new StringBuilder(4096 + status.Nodes.Count * 400);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{seconds}\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E($"Ironic boot server {status.ServerName}")).Append("</title>\n")
            .Append("<style>").Append(Css).Append("</style>\n</head>\n<body>\n");

        html.Append("<header><h1>Ironic boot server <span id=\"server-name\">").Append(E(status.ServerName)).Append("</span></h1>")
            .Append("<p class=\"meta\">version ").Append(E(status.Version))
            .Append(" &middot; store ").Append(E(status.Store))
            .Append(" &middot; generated <time datetime=\"").Append(E(Iso(status.GeneratedAt))).Append("\">").Append(E(status.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append(" UTC</time>")
            .Append(CultureInfo.InvariantCulture, $" &middot; refreshes every {seconds} s</p></header>\n");

        AppendSummary(html, status);
        AppendConductors(html, status);
        AppendNodes(html, status);
        html.Append("<footer>Read-only. Nodes and conductors come from the shared inventory; the last boot-config fetch and image download are those this server handled (each node's boot config is rendered by its owner).</footer>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, BootServerStatus status)
    {
        html.Append("<section id=\"summary\" aria-label=\"Nodes per provision state\">\n<div class=\"cards\">");
        html.Append("<a class=\"card total").Append(status.StateFilter is null ? " selected" : "").Append("\" href=\"/\"><span class=\"count\" id=\"total-nodes\">")
            .Append(status.TotalNodes.ToString(CultureInfo.InvariantCulture)).Append("</span><span class=\"label\">nodes</span></a>");
        foreach (var state in status.States)
        {
            var selected = string.Equals(state.State, status.StateFilter, StringComparison.OrdinalIgnoreCase) ? " selected" : "";
            html.Append("<a class=\"card ").Append(SeverityClass(state.State)).Append(selected).Append("\" href=\"/?state=").Append(E(Uri.EscapeDataString(state.State))).Append("\" data-state=\"").Append(E(state.State)).Append("\">")
                .Append("<span class=\"count\">").Append(state.Count.ToString(CultureInfo.InvariantCulture)).Append("</span>")
                .Append("<span class=\"label\">").Append(E(state.State)).Append("</span></a>");
        }
        html.Append("<div class=\"card activity\"><span class=\"count\" id=\"recent-fetches\">").Append(status.ActiveBootConfigFetches.ToString(CultureInfo.InvariantCulture))
            .Append("</span><span class=\"label\">boot configs served, last 5 min</span></div>");
        html.Append("<div class=\"card activity\"><span class=\"count\" id=\"recent-downloads\">").Append(status.ActiveImageDownloads.ToString(CultureInfo.InvariantCulture))
            .Append("</span><span class=\"label\">nodes downloading images, last 5 min</span></div>");
        html.Append("</div>\n</section>\n");
    }

    private static void AppendConductors(StringBuilder html, BootServerStatus status)
    {
        var live = status.Conductors.Count(c => c.OnRing);
        html.Append("<section id=\"ring\"><h2>Conductor ring <span class=\"sub\">")
            .Append(live.ToString(CultureInfo.InvariantCulture)).Append(" on the ring of ").Append(status.Conductors.Count.ToString(CultureInfo.InvariantCulture)).Append(" registered</span></h2>\n");
        html.Append("<table id=\"conductors\"><thead><tr><th>Conductor</th><th>URL</th><th>Group</th><th>Heartbeat</th><th>Ring</th><th class=\"num\">Nodes owned</th></tr></thead><tbody>\n");
        foreach (var c in status.Conductors)
        {
            html.Append("<tr data-conductor=\"").Append(E(c.Name)).Append("\"><td>").Append(E(c.Name)).Append(c.IsSelf ? " <span class=\"tag\">this server</span>" : "").Append("</td>")
                .Append("<td>").Append(E(c.InternalUrl.ToString())).Append("</td>")
                .Append("<td>").Append(E(c.ConductorGroup.Length == 0 ? "(default)" : c.ConductorGroup)).Append("</td>")
                .Append("<td>").Append(E(Age(c.HeartbeatAge))).Append(" ago</td>")
                .Append("<td class=\"").Append(c.OnRing ? "ok" : "bad").Append("\">").Append(c.OnRing ? "on ring" : "stale, off ring").Append("</td>")
                .Append("<td class=\"num\">").Append(c.NodesOwned.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }
        html.Append("</tbody></table>\n</section>\n");
    }

    private static void AppendNodes(StringBuilder html, BootServerStatus status)
    {
        html.Append("<section id=\"nodes-section\"><h2>Nodes");
        if (status.StateFilter is not null) html.Append(" in state &ldquo;").Append(E(status.StateFilter)).Append("&rdquo; <a class=\"sub\" href=\"/\">show all</a>");
        html.Append("</h2>\n");
        if (status.MatchingNodes > status.Nodes.Count)
        {
            html.Append("<p class=\"note\" id=\"truncated\">Showing the first ").Append(status.Nodes.Count.ToString(CultureInfo.InvariantCulture))
                .Append(" of ").Append(status.MatchingNodes.ToString(CultureInfo.InvariantCulture)).Append(" nodes (failures and nodes in progress first); pick a state above to narrow the list.</p>\n");
        }
        if (status.Nodes.Count == 0)
        {
            html.Append("<p class=\"note\" id=\"no-nodes\">").Append(status.TotalNodes == 0 ? "No nodes are enrolled in this inventory." : "No node is in this state.").Append("</p>\n</section>\n");
            return;
        }
        html.Append("<table id=\"nodes\"><thead><tr><th>Node</th><th>Provision state</th><th>Power</th><th>Owner</th><th>Reservation</th><th>Last boot config</th><th>Last image download</th><th>Last error</th></tr></thead><tbody>\n");
        foreach (var n in status.Nodes)
        {
            html.Append("<tr data-node=\"").Append(E(n.Name)).Append("\"><td title=\"").Append(E(n.Uuid.ToString("D"))).Append("\">").Append(E(n.Name)).Append("</td>")
                .Append("<td><span class=\"state ").Append(SeverityClass(n.ProvisionState)).Append("\">").Append(E(n.ProvisionState)).Append("</span>");
            if (!string.IsNullOrEmpty(n.TargetProvisionState)) html.Append(" &rarr; ").Append(E(n.TargetProvisionState));
            if (n.OneShotPendingSince is { } since)
            {
                html.Append(" <span class=\"tag\" data-one-shot=\"pending\" title=\"one-shot: the ISO is ejected and dropped once the BMC has read it (inserted ")
                    .Append(E(Iso(since))).Append(")\">one-shot release pending</span>");
            }
            html.Append("</td><td>").Append(E(n.PowerState)).Append("</td>")
                .Append("<td>").Append(n.Owner is null ? "<span class=\"bad\">no live owner</span>" : E(n.Owner)).Append("</td>")
                .Append("<td>").Append(E(n.Reservation ?? "")).Append("</td><td>");
            if (n.LastBootConfig is { } f)
            {
                html.Append("<time datetime=\"").Append(E(Iso(f.At))).Append("\">").Append(E(Age(status.GeneratedAt - f.At))).Append(" ago</time> ")
                    .Append("<span class=\"detail\">").Append(E(f.ConfigName)).Append(" for ").Append(E(f.MacAddress)).Append("</span>");
            }
            else
            {
                html.Append("<span class=\"none\">&ndash;</span>");
            }
            html.Append("</td><td>");
            if (n.LastImage is { } d)
            {
                html.Append("<time datetime=\"").Append(E(Iso(d.At))).Append("\">").Append(E(Age(status.GeneratedAt - d.At))).Append(" ago</time> ")
                    .Append("<span class=\"detail\">").Append(E(d.File)).Append(' ').Append(d.Status.ToString(CultureInfo.InvariantCulture));
                if (d.Range is not null) html.Append(' ').Append(E(d.Range));
                html.Append("</span>");
            }
            else
            {
                html.Append("<span class=\"none\">&ndash;</span>");
            }
            html.Append("</td><td class=\"error\">").Append(E(n.LastError ?? "")).Append("</td></tr>\n");
        }
        html.Append("</tbody></table>\n</section>\n");
    }

    /// <summary>A short age: "4 s", "12 min", "3 h", "2 d".</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return age.TotalSeconds < 120 ? $"{(int)age.TotalSeconds} s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes} min"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} h"
            : $"{(int)age.TotalDays} d";
    }

    private static string SeverityClass(string state) => BootServerStatus.Severity(state) switch
    {
        StateSeverity.Failed => "failed",
        StateSeverity.InProgress => "progress",
        StateSeverity.Done => "done",
        _ => "idle",
    };

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 24px 24px;color:#1d2329;background:#f6f7f9}
        header{border-bottom:1px solid #d5d9de;margin-bottom:12px}
        h1{font-size:20px;margin:14px 0 2px}h2{font-size:16px;margin:18px 0 6px}
        .meta,.sub,footer{color:#5b6570;font-size:12px;font-weight:normal}.sub{margin-left:8px}
        .cards{display:flex;flex-wrap:wrap;gap:8px}
        .card{display:flex;flex-direction:column;min-width:110px;padding:8px 12px;border-radius:6px;background:#fff;border:1px solid #d5d9de;border-left-width:5px;text-decoration:none;color:inherit}
        .card .count{font-size:24px;font-weight:600;font-variant-numeric:tabular-nums}.card .label{font-size:12px;color:#5b6570}
        .card.selected{outline:2px solid #2b6cb0}
        .card.failed{border-left-color:#c53030}.card.progress{border-left-color:#d69e2e}.card.done{border-left-color:#2f855a}.card.idle{border-left-color:#718096}.card.total{border-left-color:#2b6cb0}.card.activity{border-left-color:#6b46c1}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d5d9de}
        th,td{padding:4px 8px;border-bottom:1px solid #e6e9ed;text-align:left;vertical-align:top;white-space:nowrap}
        th{position:sticky;top:0;background:#eef1f4;font-weight:600;font-size:12px}
        tbody tr:nth-child(even){background:#fafbfc}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        td.error{white-space:normal;color:#9b2c2c;max-width:420px}
        .state{padding:1px 6px;border-radius:10px;font-size:12px}
        .state.failed{background:#fed7d7;color:#822727}.state.progress{background:#fefcbf;color:#744210}.state.done{background:#c6f6d5;color:#22543d}.state.idle{background:#e2e8f0;color:#2d3748}
        .ok{color:#2f855a}.bad{color:#c53030}.none{color:#a0aec0}.detail{color:#5b6570;font-size:12px}
        .tag{font-size:11px;background:#bee3f8;color:#2a4365;border-radius:8px;padding:0 6px}
        .note{background:#fffbea;border:1px solid #f6e05e;padding:6px 10px;border-radius:4px}
        footer{margin-top:16px}
        """;
}
