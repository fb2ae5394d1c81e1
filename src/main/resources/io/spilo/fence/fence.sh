# spilo fence: stops the local primary's PostgreSQL when the agent stops feeding it.
# Started by the agent (io.spilo.fence.ProcessFence) with its standard input on a pipe from the
# agent. Lines: "feed <seconds> <postmaster pid>" sets the deadline <seconds> from now;
# "disarm" ends the fence without touching PostgreSQL. The fence fires when the deadline passes
# without a feed (a frozen or deadlocked agent) and at once when the pipe closes without "disarm"
# (the agent died). Firing: SIGQUIT to the postmaster (immediate shutdown: every backend exits
# without acknowledging anything more), then SIGKILL of the postmaster and of its children if they
# are still there after one second. Exit 0 after "disarm", 3 after firing.
# Bash builtins only while waiting: nothing here can hang on a frozen disk or a lost network.
# Arguments: the first deadline in seconds, the data directory (its postmaster.pid names the
# postmaster when no feed has yet: PostgreSQL being started as the leader).
set -u
timeout=$1
data_directory=$2
pid=0

children_of() {
    local parent=$1 stat line rest
    for stat in /proc/[0-9]*/stat; do
        read -r line < "$stat" 2>/dev/null || continue
        rest=${line##*) }
        set -- $rest
        if [ "${2:-}" = "$parent" ]; then
            stat=${stat#/proc/}
            printf '%s ' "${stat%/stat}"
        fi
    done
}

fire() {
    if [ "$pid" -le 0 ] && [ -r "$data_directory/postmaster.pid" ]; then
        read -r pid < "$data_directory/postmaster.pid" || pid=0
    fi
    # The log line comes after the signals: the log may sit on the file system that froze.
    if [ "$pid" -gt 0 ] && kill -0 "$pid" 2>/dev/null; then
        local kids
        kids=$(children_of "$pid")
        kill -QUIT "$pid" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        # shellcheck disable=SC2086
        kill -KILL "$pid" $kids 2>/dev/null
    fi
    echo "spilo fence: $1; stopped PostgreSQL (postmaster $pid)" >&2
    exit 3
}

while true; do
    if read -r -t "$timeout" command seconds postmaster; then
        case "$command" in
            feed)
                timeout=$seconds
                pid=$postmaster
                ;;
            disarm)
                exit 0
                ;;
        esac
    elif [ $? -gt 128 ]; then
        fire "not fed within the leadership window"
    else
        fire "the agent went away without disarming the fence"
    fi
done
