using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Notifly.Silo.Cli;

/// <summary>
/// <c>notifly tenants …</c>: the operator API (<c>/api/operator/tenants</c>) from a shell. It goes
/// through a running node rather than the database, so a suspension is announced to every node
/// and every change is audited the same way. Options are read with the shared framework's
/// command-line configuration provider (<c>--name Acme</c>, <c>--name=Acme</c>).
/// </summary>
public static class TenantsCommand
{
    public const string Usage = """
        usage: notifly tenants <command> [options]

          create --name <name> --slug <slug>   create a tenant; prints its first ADMIN API key, once
          list [--status ACTIVE|SUSPENDED]     list tenants, newest first
          show <id|slug>                       one tenant
          rename <id|slug> --name <name>       rename a tenant
          suspend <id|slug>                    refuse the tenant's keys, users and intake; hold its work
          resume <id|slug>                     undo a suspension; its held work is sent

        options for every command:
          --url <base url>     the node to talk to (NOTIFLY_URL; default http://localhost:8080)
          --token <token>      an operator token (NOTIFLY_OPERATOR_TOKEN, Notifly__Operator__Tokens__0,
                               or single-node mode's $NOTIFLY_HOME/operator.token)
          --json               print the API's JSON instead of text
        """;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, HttpMessageHandler? handler = null)
    {
        var command = args.FirstOrDefault();
        var target = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : null;
        var optionArgs = args.Skip(target is null ? 1 : 2).ToArray();
        IConfiguration options;
        try
        {
            // --json is a flag: give it a value so the provider does not take the next option as it.
            options = new ConfigurationBuilder()
                .AddCommandLine(optionArgs.Select(a => a == "--json" ? "--json=true" : a).ToArray())
                .Build();
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"{e.Message}\n\n{Usage}");
            return 2;
        }

        if (command is null or "help" or "--help" or "-h")
        {
            await output.WriteLineAsync(Usage);
            return command is null ? 2 : 0;
        }

        var url = options["url"] ?? Environment.GetEnvironmentVariable("NOTIFLY_URL") ?? "http://localhost:8080";
        var token = options["token"] ?? DefaultToken();
        if (string.IsNullOrWhiteSpace(token))
        {
            await error.WriteLineAsync("No operator token: pass --token or set NOTIFLY_OPERATOR_TOKEN.");
            return 2;
        }

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = new Uri(url.TrimEnd('/') + "/");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        var cli = new Session(http, output, error, options["json"] == "true");
        try
        {
            return command switch
            {
                "create" => await cli.CreateAsync(options["name"], options["slug"]),
                "list" => await cli.ListAsync(options["status"]),
                "show" when target is not null => await cli.ShowAsync(target),
                "rename" when target is not null && options["name"] is { } name => await cli.UpdateAsync(target, new { name }),
                "suspend" when target is not null => await cli.UpdateAsync(target, new { status = "SUSPENDED" }),
                "resume" when target is not null => await cli.UpdateAsync(target, new { status = "ACTIVE" }),
                _ => await cli.UsageAsync(),
            };
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            await error.WriteLineAsync($"Cannot reach Notifly at {url}: {e.Message}");
            return 1;
        }
    }

    private static string? DefaultToken()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("NOTIFLY_OPERATOR_TOKEN")
            ?? Environment.GetEnvironmentVariable("Notifly__Operator__Tokens__0");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }

        var home = Environment.GetEnvironmentVariable("NOTIFLY_HOME") ?? Path.Combine(Directory.GetCurrentDirectory(), ".notifly");
        var file = Path.Combine(home, Hosting.DevMode.OperatorTokenFile);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }

    private sealed class Session(HttpClient http, TextWriter output, TextWriter error, bool json)
    {
        public async Task<int> CreateAsync(string? name, string? slug)
        {
            if (name is null || slug is null)
            {
                return await UsageAsync();
            }

            var body = await SendAsync(HttpMethod.Post, "api/operator/tenants", new { name, slug });
            if (body is null)
            {
                return 1;
            }

            if (json)
            {
                await output.WriteLineAsync(body.ToJsonString(Indented));
                return 0;
            }

            var tenant = body["tenant"]!;
            await output.WriteLineAsync($"Created tenant {tenant["slug"]} ({tenant["id"]}).");
            await output.WriteLineAsync($"Its ADMIN API key, shown this once: {body["adminKey"]!["secret"]}");
            return 0;
        }

        public async Task<int> ListAsync(string? status)
        {
            var all = new JsonArray();
            string? cursor = null;
            do
            {
                var query = $"api/operator/tenants?limit=500{(status is null ? "" : $"&status={Uri.EscapeDataString(status)}")}"
                    + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
                var page = await SendAsync(HttpMethod.Get, query);
                if (page is null)
                {
                    return 1;
                }

                foreach (var item in page["items"]!.AsArray())
                {
                    all.Add(item!.DeepClone());
                }

                cursor = page["nextCursor"]?.GetValue<string>();
            }
            while (cursor is not null);

            if (json)
            {
                await output.WriteLineAsync(all.ToJsonString(Indented));
                return 0;
            }

            await output.WriteLineAsync($"{"ID",-36}  {"SLUG",-24}  {"STATUS",-9}  {"CREATED",-20}  NAME");
            foreach (var tenant in all)
            {
                var created = tenant!["createdAt"]!.GetValue<DateTimeOffset>().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                await output.WriteLineAsync($"{tenant["id"],-36}  {tenant["slug"],-24}  {tenant["status"],-9}  {created,-20}  {tenant["name"]}");
            }

            return 0;
        }

        public async Task<int> ShowAsync(string target)
        {
            var id = await ResolveAsync(target);
            var tenant = id is null ? null : await SendAsync(HttpMethod.Get, $"api/operator/tenants/{id}");
            return tenant is null ? 1 : await PrintAsync(tenant);
        }

        public async Task<int> UpdateAsync(string target, object change)
        {
            var id = await ResolveAsync(target);
            var tenant = id is null ? null : await SendAsync(HttpMethod.Patch, $"api/operator/tenants/{id}", change);
            return tenant is null ? 1 : await PrintAsync(tenant);
        }

        public async Task<int> UsageAsync()
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        private async Task<int> PrintAsync(JsonNode tenant)
        {
            await output.WriteLineAsync(json
                ? tenant.ToJsonString(Indented)
                : $"{tenant["slug"]} ({tenant["id"]}): {tenant["status"]}, \"{tenant["name"]}\"");
            return 0;
        }

        /// <summary>The tenant's id: the argument itself, or the id of the tenant with that slug.</summary>
        private async Task<Guid?> ResolveAsync(string target)
        {
            if (Guid.TryParse(target, out var id))
            {
                return id;
            }

            string? cursor = null;
            do
            {
                var page = await SendAsync(HttpMethod.Get,
                    "api/operator/tenants?limit=500" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
                if (page is null)
                {
                    return null;
                }

                if (page["items"]!.AsArray().FirstOrDefault(t => t!["slug"]!.GetValue<string>() == target) is { } found)
                {
                    return found["id"]!.GetValue<Guid>();
                }

                cursor = page["nextCursor"]?.GetValue<string>();
            }
            while (cursor is not null);

            await error.WriteLineAsync($"No tenant has the id or slug '{target}'.");
            return null;
        }

        /// <returns>The answer's JSON, or null after printing the problem the node answered.</returns>
        private async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                return JsonNode.Parse(text);
            }

            var problem = TryParse(text);
            var detail = problem?["detail"]?.ToString();
            var errors = problem?["errors"] is JsonObject fields
                ? string.Concat(fields.Select(f => $"\n  {f.Key}: {string.Join(" ", f.Value!.AsArray().Select(m => m!.ToString()))}"))
                : "";
            await error.WriteLineAsync(
                $"{(int)response.StatusCode} {problem?["code"] ?? response.ReasonPhrase}: {problem?["title"]}{(detail is null ? "" : $" {detail}")}{errors}");
            return null;
        }

        private static JsonNode? TryParse(string text)
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
