import { useId, useState, type FormEvent } from 'react';
import { errorText } from '../format/error-text.js';
import { useTroupe } from '../store/index.js';

/** For networks where multicast does not reach (VPN, isolated Wi-Fi): the agent dials host:port. */
export function AddByAddressForm() {
  const addNearby = useTroupe((s) => s.addNearby);
  const online = useTroupe((s) => s.eventStream === 'open');
  const [address, setAddress] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const inputId = useId();
  const errorId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = address.trim();
    if (!/^.+:\d{1,5}$/.test(value)) {
      setError('Type the address as host:port, for example 192.168.1.20:47800.');
      return;
    }
    setPending(true);
    setError(null);
    setAdded(null);
    try {
      const device = await addNearby(value);
      setAdded(`Found ${device.name}. It is now listed under Nearby.`);
      setAddress('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setPending(false);
    }
  };

  return (
    <form className="add-by-address" aria-label="Add by address" onSubmit={submit} noValidate>
      <label htmlFor={inputId}>Add a machine by address</label>
      <div className="row">
        <input
          id={inputId}
          name="address"
          placeholder="192.168.1.20:47800"
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="button" disabled={pending || !online} title={online ? undefined : 'The agent is not reachable'}>
          {pending ? 'Adding…' : 'Add by address'}
        </button>
      </div>
      {error && (
        <p id={errorId} className="error-text" role="alert">
          {error}
        </p>
      )}
      {added && (
        <p className="ok-text" role="status">
          {added}
        </p>
      )}
    </form>
  );
}
