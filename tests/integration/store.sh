#!/bin/sh
# The Redis store against a real redis-server, with an ACL user for AUTH.
. "$top_srcdir/tests/integration/lib.sh"
sg_start_redis --user default on nopass '~*' '&*' '+@all' \
    --user app on '>app-secret' '~*' '&*' '+@all'
"$top_builddir/tests/integration/test_store"
