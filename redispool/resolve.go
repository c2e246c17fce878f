package redispool

// EnvURL names the environment variable that holds the Redis URL when --redis is not given:
// a password there stays out of ps.
const EnvURL = "FETCHBENCH_REDIS"

// CheckURL checks a --redis value and returns it; its error never shows the password.
func CheckURL(s string) (string, error) {
	if _, err := ParseURL(s); err != nil {
		return "", err
	}
	return s, nil
}
