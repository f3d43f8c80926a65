FROM valkey/valkey:9.1.2-alpine
RUN <<EOS
echo "FROM redis:7 would not count here"
EOS
