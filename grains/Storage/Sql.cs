using Npgsql;
using NpgsqlTypes;

namespace Notifly.Grains.Storage;

/// <summary>Small helpers for positional parameters, which keep batched SQL readable.</summary>
internal static class Sql
{
    public static NpgsqlCommand With<T>(this NpgsqlCommand command, T value, NpgsqlDbType? type = null)
    {
        var parameter = new NpgsqlParameter<T> { TypedValue = value };
        if (type is { } t)
        {
            parameter.NpgsqlDbType = t;
        }

        command.Parameters.Add(parameter);
        return command;
    }

    public static NpgsqlBatchCommand With<T>(this NpgsqlBatchCommand command, T value, NpgsqlDbType? type = null)
    {
        var parameter = new NpgsqlParameter<T> { TypedValue = value };
        if (type is { } t)
        {
            parameter.NpgsqlDbType = t;
        }

        command.Parameters.Add(parameter);
        return command;
    }
}
