using System.Globalization;
using CsvHelper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Queries;
using Notifly.Grains.Storage;

namespace Notifly.Api.Admin;

/// <summary>
/// <c>GET /api/admin/logs</c> (seed 000): the tenant's delivery attempts, newest first, searchable
/// by request id and filtered by status, channel, event type and time. With <c>Accept: text/csv</c>
/// it exports every matching attempt as CSV (CsvHelper), streamed page by page.
/// </summary>
public static class DeliveryLogsApi
{
    private static readonly string[] Statuses = ["SENT", "FAILED", "ABANDONED"];

    public static async Task<Results<Ok<Page<DeliveryLogEntry>>, EmptyHttpResult, ProblemHttpResult>> List(
        HttpContext context, Database database, CancellationToken cancellationToken, Guid? requestId = null, string? status = null,
        string? channel = null, string? eventType = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int? limit = null,
        string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > ListQuery.MaxLimit)
        {
            errors["limit"] = [$"limit must be a whole number 1–{ListQuery.MaxLimit}."];
        }

        var wantedStatus = status?.ToUpperInvariant();
        if (wantedStatus is not null && !Statuses.Contains(wantedStatus))
        {
            errors["status"] = ["status must be SENT, FAILED or ABANDONED."];
        }

        Channel? wantedChannel = null;
        if (channel is not null)
        {
            if (Wire.TryParseChannel(channel.ToUpperInvariant(), out var parsed))
            {
                wantedChannel = parsed;
            }
            else
            {
                errors["channel"] = ["channel must be EMAIL, SMS, PUSH or WEBHOOK."];
            }
        }

        (DateTimeOffset, long)? after = null;
        if (cursor is not null)
        {
            if (DeliveryLogQueries.TryParseCursor(cursor, out var position))
            {
                after = position;
            }
            else
            {
                errors["cursor"] = ["cursor is not one this list returned; pass its nextCursor back unchanged."];
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var filter = new DeliveryLogFilter(requestId, wantedStatus, wantedChannel, eventType, from, to);
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (WantsCsv(context.Request))
        {
            await WriteCsvAsync(context, DeliveryLogQueries.ExportAsync(scope, filter, cancellationToken), cancellationToken);
            return TypedResults.Empty;
        }

        return TypedResults.Ok(await DeliveryLogQueries.ListAsync(scope, filter, limit ?? ListQuery.DefaultLimit, after, cancellationToken));
    }

    private static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));

    private static readonly string[] CsvColumns =
    [
        "id", "requestId", "eventType", "channel", "attempt", "status", "latencyMs", "provider", "errorCode", "errorMessage",
        "providerMessageId", "createdAt",
    ];

    private static async Task WriteCsvAsync(HttpContext context, IAsyncEnumerable<DeliveryLogEntry> rows, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers[HeaderNames.ContentDisposition] = "attachment; filename=\"delivery-logs.csv\"";
        // Error messages come from providers and recipients' servers: a field that starts like a
        // formula is escaped, so that opening the export in a spreadsheet runs nothing.
        await using var csv = CsvWriter.Create(context.Response.Body, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true);
        csv.WriteHeader(CsvColumns);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            csv.WriteField(row.Id, default);
            csv.WriteField(row.RequestId, default);
            csv.WriteField(row.EventType);
            csv.WriteField(row.Channel.Name());
            csv.WriteField(row.Attempt, default);
            csv.WriteField(row.Status);
            csv.WriteField(row.LatencyMs, default);
            csv.WriteField(row.Provider);
            csv.WriteField(row.ErrorCode);
            csv.WriteField(row.ErrorMessage);
            csv.WriteField(row.ProviderMessageId);
            csv.WriteField(row.CreatedAt, "O");
            await csv.EndRecordAsync(cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }
}
