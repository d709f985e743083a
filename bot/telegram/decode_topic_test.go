package telegram

import "testing"

// FuzzTopicShortcut: skipping the second decoding when mayHoldTopic says
// no never loses a forum topic that decoding the topic fields finds.
func FuzzTopicShortcut(f *testing.F) {
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"message_thread_id":7,"is_topic_message":true,"chat":{"id":-1,"type":"supergroup"}}}`))
	f.Add([]byte(`{"update_id":2,"message":{"message_id":1,"message_thread_id":7,"IS_TOPIC_MESSAGE":true,"chat":{"id":-1,"type":"supergroup"}}}`))
	f.Add([]byte(`{"update_id":3,"message":{"message_id":1,"message_thread_id":7,"is_\u0074opic_message":true,"chat":{"id":-1,"type":"supergroup"}}}`))
	f.Add([]byte(`{"update_id":4,"callback_query":{"id":"q","message":{"message_id":1,"message_thread_id":9,"is_topic_message":true}}}`))
	f.Add([]byte(`{"update_id":5,"message":{"message_id":1,"text":"hello","chat":{"id":5,"type":"private"}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, _, err := decodeUpdate(raw)
		if err != nil {
			return
		}
		want := topicOf(raw)
		if u.thread != want {
			t.Fatalf("thread %d, want %d (mayHoldTopic %v)", u.thread, want, mayHoldTopic(raw))
		}
	})
}
