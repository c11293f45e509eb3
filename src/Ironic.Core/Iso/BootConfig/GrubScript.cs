using System.Text;

namespace Ironic.Core.Iso.BootConfig;

/// <summary>
/// Just enough of the GRUB2 script language (GRUB manual, "Shell-like scripting") to find commands
/// and their words with exact positions: words split on blanks; '…' and "…" quoting and backslash
/// escapes; backslash-newline continues a command; newline and ';' end one; '#' at a word start
/// begins a comment. Braces are words of their own, as in "menuentry 'x' {".
/// </summary>
internal static class GrubScript
{
    internal sealed record Word(int SeparatorStart, int Start, int End, string Value, bool HasVariable);

    internal sealed record Command(IReadOnlyList<Word> Words, int End)
    {
        public string Name => Words[0].Value;
    }

    /// <summary>Characters GRUB treats specially outside quotes (GRUB manual, "Quoting"): such words are inserted single-quoted.</summary>
    private const string Metacharacters = "{}|&$;<>#";

    public static string Render(string parameter) =>
        parameter.IndexOfAny(Metacharacters.ToCharArray()) >= 0 ? "'" + parameter + "'" : parameter;

    public static List<Command> Parse(string text)
    {
        var commands = new List<Command>();
        var words = new List<Word>();
        int i = 0;
        int separatorStart = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\t')
            {
                i++;
                continue;
            }
            if (c == '\\' && NewlineLength(text, i + 1) is int continuation and > 0)
            {
                i += 1 + continuation; // line continuation: a blank
                continue;
            }
            if (c is '\n' or '\r' or ';')
            {
                EndCommand(i);
                i++;
                separatorStart = i;
                continue;
            }
            if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                    i++;
                EndCommand(i);
                separatorStart = i;
                continue;
            }

            int start = i;
            var value = new StringBuilder();
            bool variable = false;
            while (i < text.Length)
            {
                c = text[i];
                if (c is ' ' or '\t' or '\n' or '\r' or ';')
                    break;
                if (c == '\\')
                {
                    if (NewlineLength(text, i + 1) > 0)
                        break; // continuation ends the word
                    if (i + 1 < text.Length)
                        value.Append(text[i + 1]);
                    i += 2;
                    continue;
                }
                if (c == '\'')
                {
                    int close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                        close = text.Length;
                    value.Append(text, i + 1, close - i - 1);
                    i = Math.Min(close + 1, text.Length);
                    continue;
                }
                if (c == '"')
                {
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$')
                            i++;
                        else if (text[i] == '$')
                            variable = true;
                        value.Append(text[i]);
                        i++;
                    }
                    i = Math.Min(i + 1, text.Length);
                    continue;
                }
                if (c == '$')
                    variable = true;
                value.Append(c);
                i++;
            }
            var word = new Word(separatorStart, start, i, value.ToString(), variable);
            separatorStart = i;
            // Braces delimit blocks: "{" ends the command that opens it ("menuentry 'x' {") and
            // "}" is a command of its own, so "{ linux /k; }" holds a linux command.
            if (i - start == 1 && text[start] == '}')
            {
                EndCommand(start);
                words.Add(word);
                EndCommand(i);
                continue;
            }
            words.Add(word);
            // "{" ends the command that opens a block; "then", "else" and "do" open one too, so
            // "if x; then linux /k a; fi" holds a linux command.
            if ((i - start == 1 && text[start] == '{') || (words.Count == 1 && word.Value is "then" or "else" or "do" && i - start == word.Value.Length))
                EndCommand(i);
        }
        EndCommand(text.Length);
        return commands;

        void EndCommand(int end)
        {
            if (words.Count > 0)
                commands.Add(new Command(words.ToArray(), end));
            words.Clear();
        }
    }

    private static int NewlineLength(string text, int at)
    {
        if (at < text.Length && text[at] == '\n')
            return 1;
        if (at + 1 < text.Length && text[at] == '\r' && text[at + 1] == '\n')
            return 2;
        return 0;
    }

    public static bool IsLinuxCommand(string name) => name is "linux" or "linuxefi" or "linux16";

    public static bool IsInitrdCommand(string name) => name is "initrd" or "initrdefi" or "initrd16";

    /// <summary>The kernel arguments of a linux command: every word after the kernel path.</summary>
    public static ParameterList Arguments(Command command)
    {
        var arguments = command.Words.Skip(2).Select(w => new ParameterToken(w.SeparatorStart, w.Start, w.End, w.Value, w.HasVariable)).ToList();
        var separator = arguments.FirstOrDefault(t => t.Value == "---" && !t.Opaque);
        if (separator is not null)
            return new ParameterList(arguments, separator.Start, InsertBeforeSeparator: true);
        int end = command.Words.Count > 1 ? command.Words[^1].End : command.Words[0].End;
        return new ParameterList(arguments, end, InsertBeforeSeparator: false);
    }

    public static IEnumerable<TextEdit> Edit(string text, KernelParameterEdit edit)
    {
        foreach (var command in Parse(text))
        {
            if (!IsLinuxCommand(command.Name) || command.Words.Count < 2)
                continue;
            foreach (var e in ParameterEditor.Edit(text, [Arguments(command)], edit, Render, _ => false))
                yield return e;
        }
    }

    /// <summary>Entries in file order: each menuentry's linux command (title path through submenus), and linux commands outside any menuentry.</summary>
    public static IReadOnlyList<BootEntry> Entries(string text)
    {
        var entries = new List<BootEntry>();
        var blocks = new Stack<(string Kind, string Title)>();
        (string Title, string Kernel, string CommandLine)? pending = null;
        string? pendingInitrd = null;

        foreach (var command in Parse(text))
        {
            foreach (var (word, index) in command.Words.Select((w, n) => (w, n)))
            {
                if (word.Value == "{" && index == command.Words.Count - 1)
                {
                    string kind = command.Name is "menuentry" or "submenu" ? command.Name : "block";
                    string title = kind == "block" ? "" : command.Words.Skip(1).FirstOrDefault(w => !w.Value.StartsWith("--", StringComparison.Ordinal))?.Value ?? "";
                    blocks.Push((kind, title));
                }
            }
            if (command.Name == "}" && blocks.Count > 0)
            {
                if (blocks.Pop().Kind == "menuentry")
                    Flush();
                continue;
            }
            if (IsLinuxCommand(command.Name) && command.Words.Count >= 2)
            {
                Flush();
                string commandLine = string.Join(' ', command.Words.Skip(2).Select(w => w.Value));
                pending = (CurrentTitle(), command.Words[1].Value, commandLine);
            }
            else if (IsInitrdCommand(command.Name) && command.Words.Count >= 2)
            {
                pendingInitrd = string.Join(' ', command.Words.Skip(1).Select(w => w.Value));
            }
        }
        Flush();
        return entries;

        string CurrentTitle() => string.Join(" > ", blocks.Reverse().Where(b => b.Kind != "block").Select(b => b.Title));

        void Flush()
        {
            if (pending is { } p)
                entries.Add(new BootEntry(p.Title, p.Kernel, p.CommandLine, pendingInitrd));
            pending = null;
            pendingInitrd = null;
        }
    }
}
