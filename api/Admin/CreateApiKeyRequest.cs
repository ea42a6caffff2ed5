namespace Notifly.Api.Admin;

public sealed record CreateApiKeyRequest(string? Name, string? Role);
