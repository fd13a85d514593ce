# bash completion for schedctl(1): commands, their options, and job ids.
#
# Job ids come from "schedctl list --json" on the same socket as the
# command line names (--socket), and nothing is offered when no daemon
# answers. The ids are picked out of the JSON with a pattern, so the
# completion needs neither jq nor python.

_schedctl_jobs()
{
        local sock=$1 json
        json=$(schedctl ${sock:+--socket "$sock"} --json list 2>/dev/null) || return 0
        # Each job object's first member is "id": "...".
        printf '%s\n' "$json" | sed -n 's/^ *"id": "\([^"]*\)",\{0,1\}$/\1/p'
}

# Directories and .yaml/.yml files matching $1.
_schedctl_yaml_files()
{
        local f
        while IFS= read -r f; do
                [[ -d $f || $f == *.yaml || $f == *.yml ]] && printf '%s\n' "$f"
        done < <(compgen -f -- "$1")
}

_schedctl()
{
        local cur prev words cword
        _init_completion 2>/dev/null || {
                cur=${COMP_WORDS[COMP_CWORD]}
                prev=${COMP_WORDS[COMP_CWORD-1]}
                words=("${COMP_WORDS[@]}")
                cword=$COMP_CWORD
        }

        local commands="status list show next run pause resume add remove history logs reload watch validate"
        local sock="" verb="" i n_args=0

        for ((i = 1; i < cword; i++)); do
                case ${words[i]} in
                --socket) sock=${words[i+1]}; ((i++)) ;;
                --socket=*) sock=${words[i]#--socket=} ;;
                -*) ;;
                *)
                        if [[ -z $verb ]]; then
                                verb=${words[i]}
                        else
                                case ${words[i-1]} in
                                -n|--cron|--every|--at|--tz|--timeout|--from) ;;
                                *) ((n_args++)) ;;
                                esac
                        fi
                        ;;
                esac
        done

        case $prev in
        --socket)
                COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --tz)
                COMPREPLY=($(cd /usr/share/zoneinfo 2>/dev/null &&
                             compgen -f -- "$cur" | grep -v '\.tab$\|^posix\|^right'))
                return ;;
        -n|--cron|--every|--at|--timeout|--from)
                return ;;
        esac

        if [[ -z $verb ]]; then
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--socket --json --help --version" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
                fi
                return
        fi

        local opts="" jobs=0
        case $verb in
        show|remove)   ((n_args == 0)) && jobs=1 ;;
        pause|resume)  jobs=1 ;;
        run)           opts="--wait --force"; ((n_args == 0)) && jobs=1 ;;
        history)       opts="-n"; ((n_args == 0)) && jobs=1 ;;
        logs)          ((n_args == 0)) && jobs=1 ;;
        next)          opts="-n --cron --tz --from"
                       if ((n_args == 0)); then
                               jobs=1
                               COMPREPLY=($(_schedctl_yaml_files "$cur"))
                       fi ;;
        add)           opts="--cron --every --at --tz --timeout --transient --" ;;
        reload)        opts="--check" ;;
        validate)      COMPREPLY=($(_schedctl_yaml_files "$cur")) ;;
        esac

        if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        elif ((jobs)); then
                COMPREPLY+=($(compgen -W "$(_schedctl_jobs "$sock")" -- "$cur"))
        fi
}

complete -o filenames -F _schedctl schedctl
